// Drops every IPv4 packet whose source address is in a hash map that user
// space fills (bpftool, or any libbpf program), and counts the drops per
// address in the map's value. Addresses are keys in network byte order, as
// they appear in the packet.
//
// Build:   npx tsbpf build examples/xdp_blocklist.ts -o blocklist.o
// Attach:  ip link set dev eth0 xdp obj blocklist.o sec xdp
// Block:   bpftool map update name blocklist key 10 0 0 1 value 0 0 0 0 0 0 0 0
// Watch:   bpftool map dump name blocklist
// Detach:  ip link set dev eth0 xdp off
import {
  xdp,
  XdpAction,
  HashMap,
  atomicAdd,
  htons,
  ETH_P_IP,
  type EthHdr,
  type Ipv4Hdr,
} from "tsbpf";

/** Source address (network order) -> packets dropped from it. */
const blocklist = new HashMap<be32, u64>({ maxEntries: 10240 });

export const drop_blocked = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip) return XdpAction.PASS;
  const drops = blocklist.lookup(ip.saddr);
  if (!drops) return XdpAction.PASS;
  atomicAdd(drops, 1);
  return XdpAction.DROP;
});
