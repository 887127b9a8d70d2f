// Drops UDP to one port on links with jumbo frames. A frame bigger than a
// page reaches XDP in several buffers, and only programs declared
// `xdp({ frags: true })` (section "xdp.frags") may be attached to a device
// whose MTU allows that. Such a program cannot assume the headers it wants
// are in the first buffer's direct-access window, so it copies them out with
// bpf_xdp_load_bytes, which reads across buffers.
//
// Build:   npx tsbpf build examples/xdp_frags.ts -o frags.o
// Attach:  ip link set dev eth0 mtu 9000
//          ip link set dev eth0 xdp obj frags.o sec xdp.frags
// Detach:  ip link set dev eth0 xdp off
import {
  xdp,
  XdpAction,
  bpf_xdp_load_bytes,
  bpf_xdp_get_buff_len,
  addressOf,
  zeroed,
  htons,
  ETH_P_IP,
  IPPROTO_UDP,
  type EthHdr,
  type Ipv4Hdr,
  type UdpHdr,
} from "tsbpf";

const BLOCKED_PORT = 9999;

export const drop_port_frags = xdp({ frags: true }, (ctx) => {
  // The whole frame's length, all buffers together (ctx.data_end only covers the first).
  if (bpf_xdp_get_buff_len(ctx) < 42) return XdpAction.PASS;
  const eth = zeroed<EthHdr>();
  if (bpf_xdp_load_bytes(ctx, 0, addressOf(eth), 14) !== 0) return XdpAction.PASS;
  if (eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = zeroed<Ipv4Hdr>();
  if (bpf_xdp_load_bytes(ctx, 14, addressOf(ip), 20) !== 0) return XdpAction.PASS;
  if (ip.protocol !== IPPROTO_UDP) return XdpAction.PASS;
  const udp = zeroed<UdpHdr>();
  const l4 = 14 + (ip.ver_ihl & 0x0f) * 4;
  if (bpf_xdp_load_bytes(ctx, l4, addressOf(udp), 8) !== 0) return XdpAction.PASS;
  return udp.dest === htons(BLOCKED_PORT) ? XdpAction.DROP : XdpAction.PASS;
});
