// Blocklist: IPv4 sources (one VLAN tag looked through) found in a hash
// map are dropped and their hit counter bumped atomically; user space
// fills the map (the bench puts 10.0.0.66 in it).
import {
  xdp,
  XdpAction,
  HashMap,
  atomicAdd,
  htons,
  ETH_P_IP,
  ETH_P_8021Q,
  type EthHdr,
  type VlanHdr,
  type Ipv4Hdr,
} from "tsbpf";

const blocked = new HashMap<be32, u64>({ maxEntries: 1024 });

export const blocklist = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth) return XdpAction.PASS;
  let l3: u32 = 14;
  let proto = eth.h_proto;
  if (proto === htons(ETH_P_8021Q)) {
    const vlan = ctx.header<VlanHdr>(14);
    if (!vlan) return XdpAction.PASS;
    proto = vlan.h_vlan_encapsulated_proto;
    l3 = 18;
  }
  if (proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(l3);
  if (!ip) return XdpAction.PASS;
  const hits = blocked.lookup(ip.saddr);
  if (hits) {
    atomicAdd(hits, 1);
    return XdpAction.DROP;
  }
  return XdpAction.PASS;
});
