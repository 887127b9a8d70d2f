// Helper-heavy: clock and CPU id, then strips the Ethernet header with
// bpf_xdp_adjust_head, reads the TTL, puts the header back, trims and
// regrows the tail; values stay live across every call. TX when the TTL is
// at most 64, DROP above.
import {
  xdp,
  XdpAction,
  bpf_ktime_get_ns,
  bpf_get_smp_processor_id,
  bpf_xdp_adjust_head,
  bpf_xdp_adjust_tail,
  htons,
  ETH_P_IP,
  type EthHdr,
  type Ipv4Hdr,
} from "tsbpf";

export const helper_mix = xdp((ctx) => {
  const t0 = bpf_ktime_get_ns();
  const cpu = bpf_get_smp_processor_id();
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  if (bpf_xdp_adjust_head(ctx, 14) !== 0) return XdpAction.ABORTED;
  const ip = ctx.header<Ipv4Hdr>(0);
  if (!ip) return XdpAction.ABORTED;
  const ttl = ip.ttl;
  if (bpf_xdp_adjust_head(ctx, -14) !== 0) return XdpAction.ABORTED;
  if (bpf_xdp_adjust_tail(ctx, -4) !== 0) return XdpAction.ABORTED;
  if (bpf_xdp_adjust_tail(ctx, 4) !== 0) return XdpAction.ABORTED;
  const t1 = bpf_ktime_get_ns();
  if (t1 < t0 || cpu > 4096) return XdpAction.ABORTED;
  return ttl > 64 ? XdpAction.DROP : XdpAction.TX;
});
