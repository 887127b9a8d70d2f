// verifier-184991bc9d8a.json's program written as C by hand, for clang-19 -O2 -g -target bpf -mcpu=v4:
// the verifier's processed-instruction count of clang's object is what tsbpf's is held to
// (test/fuzz/verifier-cost.test.ts). Dead statements of the TypeScript are left out.
#include "common.h"
struct H0 { i32 f0; i64 f1; i64 f2; };
struct P4 { u8 f0[5]; i16 f1; u16 f2; u32 f3; i32 f4; };
MAP(m1, BPF_MAP_TYPE_HASH, u64, i8, 2);
MAP(m2, BPF_MAP_TYPE_HASH, u64, u32, 8);
MAP(m3, BPF_MAP_TYPE_ARRAY, u32, i32, 4);
SEC("xdp") int s303p15(struct xdp_md *ctx) {
  u8 x6 = 0; i16 x7 = 0; u16 x8 = 0; u32 x9 = 0; i32 x10 = 0;
  struct P4 *pkt5 = HDR(struct P4, 1);
  if (pkt5) { x6 = pkt5->f0[0]; x7 = pkt5->f1; x8 = pkt5->f2; x9 = pkt5->f3; x10 = pkt5->f4; }
  for (u64 i11 = 1; i11 < 2; i11++) {
    u64 k = (~i11) & 7; u32 v = x6;
    bpf_map_update_elem(&m2, &k, &v, 2);
    i16 x12 = x7;
    x7 = (i16)(x7 - ((x12 % x6) ^ x6));
  }
  x6++;
  for (u32 i13 = 0; i13 < 5; i13++) {
    struct H0 *h14 = HDR(struct H0, i13 & 31);
    if (h14) {
      u64 k = bpf_xdp_get_buff_len(ctx) & 7;
      u32 *v15 = bpf_map_lookup_elem(&m2, &k);
      if (v15) {
        x10 |= (x6 > (u8)bpf_xdp_get_buff_len(ctx)) ? 1 : 0;
        h14->f2 *= (i13 + h14->f2);
        if ((i8)((i8)x8 + (i8)x10) >= (i8)((i8)h14->f1 / (i8)bpf_xdp_get_buff_len(ctx))) continue;
        x6++;
      } else {
        h14->f0 = -3 * x10;
      }
    }
    struct H0 *h18 = HDR(struct H0, 21);
    if (h18) { x9 ^= i13; x8 = x8 % (u16)(-x8); x8 = x8 - x8; }
    u64 k8 = 8;
    u32 *v19 = bpf_map_lookup_elem(&m2, &k8);
    if (v19) {
      u32 k20 = (0x65050ab8 ^ x9) & 3;
      i32 *v20 = bpf_map_lookup_elem(&m3, &k20);
      if (v20) { x9 %= ((i13 >> (*v19 & 31)) + (i13 >> 17)); x9 = (u32)(i8)bpf_get_smp_processor_id(); }
      i16 x23 = -3;
      u64 k24 = ((u64)bpf_xdp_get_buff_len(ctx) >> ((i64)x10 & 63)) & 7;
      i8 *v24 = bpf_map_lookup_elem(&m1, &k24);
      if (v24) {
        u64 k = (u64)(i64)x23 & 7; i8 val = *v24 % *v24;
        bpf_map_update_elem(&m1, &k, &val, 0);
        if ((i32)((u32)x10 << 7) >= x7) return x8;
        x8--;
      }
      switch (x8) {
      case 0: *v19 = 329873263 - *v19; /* fallthrough */
      case 5: { u64 k = ctx->ingress_ifindex & 7; bpf_map_delete_elem(&m2, &k); }
      }
    } else {
      x7 = (i16)((i16)bpf_get_smp_processor_id() >> (x9 & 15));
    }
  }
  return x6 != 2 ? 1 : 0;
}
