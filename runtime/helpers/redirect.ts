// Redirect helpers (net/core/filter.c): bpf_redirect for XDP and skb
// programs and bpf_clone_redirect. bpf_redirect_map lives in core.ts. The
// target is recorded in env.redirect (the last call wins, as the kernel's
// per-CPU bpf_redirect_info does); the return value is the action the
// program should return. Clones are recorded in skbState(env).clones with
// the packet as it was at the call.

import type { HelperImpl } from "../env.js";
import { E, K, deviceMtu, family, neg, skbState, u32 } from "./support.js";

const F_INGRESS = K("BPF_F_INGRESS");
/** BPF_F_REDIRECT_INTERNAL: a kernel-internal bit bpf_redirect refuses. */
const F_REDIRECT_INTERNAL = 1n << 31n;
const XDP_ABORTED = K("XdpAction.ABORTED");
const XDP_REDIRECT = K("XdpAction.REDIRECT");
const TC_ACT_SHOT = K("TC_ACT_SHOT");
const TC_ACT_REDIRECT = K("TC_ACT_REDIRECT");

const redirect: HelperImpl = (env, ifindex, flags) => {
  if (env.progType === "xdp") {
    // bpf_xdp_redirect: any flag aborts; the target is an ifindex (map type UNSPEC).
    if (flags !== 0n) return XDP_ABORTED;
    env.redirect = { helper: "bpf_redirect", ifindex: u32(ifindex), flags };
    return XDP_REDIRECT;
  }
  if (flags & (~F_INGRESS | F_REDIRECT_INTERNAL)) return TC_ACT_SHOT;
  env.redirect = { helper: "bpf_redirect", ifindex: u32(ifindex), flags };
  return TC_ACT_REDIRECT;
};

/**
 * bpf_clone_redirect: sends a copy to `ifindex` now and returns 0; the
 * original continues. Unknown interfaces are -EINVAL. The copy's delivery
 * is SIMULATED (recorded, never transmitted).
 */
const cloneRedirect: HelperImpl = (env, _skb, ifindex, flags) => {
  if (flags & ~F_INGRESS) return neg(E.EINVAL);
  const dev = u32(ifindex);
  if (deviceMtu(env, dev) === undefined) return neg(E.EINVAL);
  // __bpf_redirect_common refuses an empty skb.
  if (env.packet.end === env.packet.data) return neg(E.ERANGE);
  skbState(env).clones.push({ ifindex: dev, flags, packet: env.packet.bytes().slice() });
  // The helper may unclone the skb: packet pointers must be reloaded.
  env.packet.setBounds({});
  return 0n;
};

export const redirectHelpers = family({
  bpf_redirect: redirect,
  bpf_clone_redirect: cloneRedirect,
});
