// verifier-4f9e73cbe717.json's program written as C by hand, for clang-19 -O2 -g -target bpf -mcpu=v4:
// the verifier's processed-instruction count of clang's object is what tsbpf's is held to
// (test/fuzz/verifier-cost.test.ts). Dead statements of the TypeScript are left out.
#include "common.h"
struct H0 { u16 f0; u32 f1; u64 f2; u64 f3; };
struct P6 { u8 f0[1]; i32 f1; u8 f2; u8 f3[6]; };
struct V1 { u8 f0[1]; i8 f1; };
struct K3 { u8 f0[5]; u16 f1; i16 f2; };
MAP(m2, BPF_MAP_TYPE_HASH, u16, struct V1, 8);
MAP(m4, BPF_MAP_TYPE_HASH, struct K3, u8, 1);
SEC("xdp") int s256p5(struct xdp_md *ctx) {
  u8 x8 = 0; i32 x9 = 0; u8 x10 = 0; u8 x11 = 0;
  struct P6 *pkt7 = HDR(struct P6, 0);
  if (pkt7) { x8 = pkt7->f0[0]; x9 = pkt7->f1; x10 = pkt7->f2; x11 = pkt7->f3[0]; }
  u32 i12 = 1;
  while (i12 < 5) {
    i12++;
    u32 i13 = 0;
    do {
      i13++;
      struct H0 *h14 = HDR(struct H0, ((x8 > x8) ? i13 : x8) & 31);
      if (h14) x11++;
      if (((i32)x10 / x9 > (i32)x11) && ((u16)(i13 ? x10 : x11) >= (u16)(x8 / (u16)i12))) {
        bpf_xdp_adjust_head(ctx, (i32)i13 % 64);
        x9 *= (i32)x11;
      } else {
        x8 = 249;
      }
    } while (i13 < 5);
    switch (x11) {
    case 2: {
      struct P6 *h18 = HDR(struct P6, 13);
      if (h18) { u16 k = (0xaaaf ^ (u16)i12) & 7; bpf_map_delete_elem(&m2, &k); }
      break;
    }
    case 1: {
      u16 k19 = 0x6e16;
      struct V1 *v19 = bpf_map_lookup_elem(&m2, &k19);
      if (v19) {
        struct K3 k20; __builtin_memset(&k20, 0, sizeof(k20));
        k20.f0[0] = (u8)(x8 ? x11 / x8 : 0) & 3; k20.f0[1] = (u8)(0x7f - x8) & 3; k20.f0[2] = 193;
        k20.f0[3] = 1; k20.f0[4] = (u8)(x8 - 0xa5) & 3;
        k20.f1 = (u16)v19->f0[0] & 3;
        k20.f2 = (i16)(((i16)bpf_xdp_get_buff_len(ctx) >> 4) % 4);
        u8 val = (u8)((x10 != 8 ? 1 : 0) ^ x11);
        bpf_map_update_elem(&m4, &k20, &val, 2);
        u64 x22 = ctx->rx_queue_index;
        struct V1 nv23 = { .f0 = { 254 }, .f1 = v19->f1 & 127 };
        u16 k24 = x8 & 7;
        bpf_map_update_elem(&m2, &k24, &nv23, 1);
        v19->f0[0] &= (u8)~((0xfffffffffffffff7ULL > x22) ? 1 : 0);
      }
      u16 k25 = (u16)(32767 + (u16)ctx->ingress_ifindex) & 7;
      struct V1 *v25 = bpf_map_lookup_elem(&m2, &k25);
      if (v25) {
        x8++;
      } else {
        struct K3 k29; __builtin_memset(&k29, 0, sizeof(k29));
        k29.f0[0] = (3 > (u16)x11 ? 1 : 0) & 3; k29.f0[1] = x8 & 3; k29.f0[2] = (x8 / 0xfe) & 3;
        k29.f0[3] = x10 & 3; k29.f0[4] = (u8)(-x8) & 3;
        k29.f1 = (u16)bpf_xdp_get_buff_len(ctx) & 3;
        k29.f2 = (i16)((i16)x8 % 4);
        u8 val = x10 | x8;
        bpf_map_update_elem(&m4, &k29, &val, 2);
      }
      break;
    }
    case 4: break;
    }
  }
  return XDP_ABORTED;
}
