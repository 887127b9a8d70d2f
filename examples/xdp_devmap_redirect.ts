// Forwards UDP to one port out of another interface from XDP, without the
// network stack: the frame is redirected through a devmap, whose slot 0 user
// space sets to the output interface's ifindex, and its destination MAC is
// rewritten to the next hop's. Until the slot is set, redirect misses and
// the frame passes to the stack unchanged.
//
// Build:   npx tsbpf build examples/xdp_devmap_redirect.ts -o devmap.o
// Attach:  ip link set dev eth0 xdp obj devmap.o sec xdp
// Route:   bpftool map update name out_ports key 0 0 0 0 value <ifindex of eth1, 4 bytes LE>
//          (run bpftool in eth1's network namespace: a devmap resolves the
//          ifindex in the namespace of the process that updates it)
// Detach:  ip link set dev eth0 xdp off
import {
  xdp,
  XdpAction,
  DevMap,
  htons,
  ETH_P_IP,
  IPPROTO_UDP,
  type EthHdr,
  type Ipv4Hdr,
  type UdpHdr,
} from "tsbpf";

const FORWARD_PORT = 8000;
/** The next hop's MAC: 02:00:00:00:00:0c. */
const NEXT_HOP_LAST = 0x0c;

const out_ports = new DevMap({ maxEntries: 8 });

export const forward_udp = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip || ip.protocol !== IPPROTO_UDP) return XdpAction.PASS;
  const udp = ctx.header<UdpHdr>(14 + (ip.ver_ihl & 0x0f) * 4);
  if (!udp || udp.dest !== htons(FORWARD_PORT)) return XdpAction.PASS;
  // XDP_REDIRECT when slot 0 holds an interface; otherwise the flags' action (XDP_PASS).
  // The frame leaves only after the program returns, so it can still be edited.
  const action = out_ports.redirect(0, XdpAction.PASS);
  if (action !== XdpAction.REDIRECT) return action as u32;
  eth.h_dest[0] = 0x02;
  eth.h_dest[1] = 0;
  eth.h_dest[2] = 0;
  eth.h_dest[3] = 0;
  eth.h_dest[4] = 0;
  eth.h_dest[5] = NEXT_HOP_LAST;
  return action as u32;
});
