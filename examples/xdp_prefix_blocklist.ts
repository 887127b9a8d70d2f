// Drops IPv4 packets from whole networks: the blocklist is a longest-prefix
// match trie of source prefixes (10.0.0.0/8, 192.0.2.128/25, ...), so one
// entry covers a network and a longer prefix can carve an exception out of
// it (value 0 = allow, 1 = drop). Hits are counted per prefix.
//
// Build:   npx tsbpf build examples/xdp_prefix_blocklist.ts -o prefixes.o
// Attach:  ip link set dev eth0 xdp obj prefixes.o sec xdp
// Block:   bpftool map update name prefixes key 8 0 0 0 10 0 0 0 value 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
//          (key: prefix length as a little-endian u32, then the address bytes;
//           value: verdict u32, padding u32, hits u64)
// Detach:  ip link set dev eth0 xdp off
import {
  xdp,
  XdpAction,
  LpmTrie,
  atomicAdd,
  htons,
  ETH_P_IP,
  BPF_F_NO_PREALLOC,
  addressOf,
  type EthHdr,
  type Ipv4Hdr,
} from "tsbpf";

interface PrefixKey {
  prefixlen: u32;
  addr: be32;
}

interface Rule {
  /** 1: drop, 0: allow (an exception inside a blocked network). */
  drop: u32;
  pad: u32;
  hits: u64;
}

const prefixes = new LpmTrie<PrefixKey, Rule>({ maxEntries: 1024, flags: BPF_F_NO_PREALLOC });

export const drop_prefixes = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip) return XdpAction.PASS;
  const key: PrefixKey = { prefixlen: 32, addr: ip.saddr };
  const rule = prefixes.lookup(key);
  if (!rule) return XdpAction.PASS;
  atomicAdd(addressOf(rule.hits), 1);
  return rule.drop !== 0 ? XdpAction.DROP : XdpAction.PASS;
});
