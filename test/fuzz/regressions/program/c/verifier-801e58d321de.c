// verifier-801e58d321de.json's program written as C by hand, for clang-19 -O2 -g -target bpf -mcpu=v4:
// the verifier's processed-instruction count of clang's object is what tsbpf's is held to
// (test/fuzz/verifier-cost.test.ts). Dead statements of the TypeScript are left out. Both
// compilers inline the two functions. The verifier refuses clang's object as too large as
// well (also with the functions kept as subprograms by noinline), so the limit is the
// program's: the loop-carried x19 takes a different constant on each path through the body
// (x19 ^= i22, x19 -= ...), later branches compare it, and no iteration's states prune another's.
#include "common.h"
struct H0 { u8 f0; i64 f1; };
struct H1 { i32 f0; u32 f1; i16 f2; u64 f3; i8 f4; };
struct P15 { i8 f0; u32 f1; u32 f2; };
struct V2 { i8 f0; i16 f1; i8 f2; u8 f3[2]; };
struct K3 { i32 f0; u64 f1; u16 f2; };
MAP(m4, BPF_MAP_TYPE_PERCPU_HASH, struct K3, struct V2, 4);
MAP(m5, BPF_MAP_TYPE_PERCPU_HASH, i8, i8, 2);
static i32 fn6(u32 a0, i32 a1, u64 a2, u8 a3) {
  u16 x7 = ((a3 >= (u16)a2 ? (i64)a0 : (i64)a1) == ((u16)a2 == (u16)a0 ? (i64)a0 : (i64)a1)) ? 1 : 0;
  struct K3 k8 = { .f0 = a1 & 3, .f1 = a2 & 3, .f2 = (a2 ? x7 : 65534) & 3 };
  struct V2 nv9 = { .f0 = ((i8)a2 ^ (i8)x7) & 127, .f1 = (i16)a0 & 255, .f2 = (i8)a2 & 127,
                    .f3 = { (u8)(a3 << 3), a3 } };
  bpf_map_update_elem(&m4, &k8, &nv9, BPF_NOEXIST);
  return a1 / (a1 >> (a2 & 31));
}
static u8 fn10(u16 a0, i16 a1, u32 a2, u32 a3) {
  { i8 k = (i8)a1 % 8; i8 v = (u8)a2 ? 1 : 0; bpf_map_update_elem(&m5, &k, &v, 1); }
  a2 /= ((i8)a0 > (i8)a2) ? 2923866385u : a2;
  struct K3 k12 = { .f0 = (i32)a3 & 3, .f1 = 1, .f2 = 0xffff };
  struct V2 *v13 = bpf_map_lookup_elem(&m4, &k12);
  if (v13) {
    v13->f1 = (i16)(v13->f3[1] / (u64)v13->f3[1]);
    i8 k = (i8)~v13->f2 % 8; i8 v = (i8)((i8)-v13->f0 << (v13->f1 & 7));
    bpf_map_update_elem(&m5, &k, &v, 1);
  }
  return (u16)(a0 << 9) <= 6 ? 1 : 0;
}
SEC("xdp") int s395p13(struct xdp_md *ctx) {
  i8 x17 = 0; u32 x18 = 0; u32 x19 = 0;
  struct P15 *pkt16 = HDR(struct P15, 1);
  if (pkt16) { x17 = pkt16->f0; x18 = pkt16->f1; x19 = pkt16->f2; }
  u64 x20 = x18;
  x19 = 0;
  x18 = (0x510e674f * x18) * (-x18);
  i8 k21 = x17 & 7;
  i8 *v21 = bpf_map_lookup_elem(&m5, &k21);
  if (v21) {
    u32 i22 = 1;
    do {
      i22++;
      u8 r = fn10((u16)x19 ^ (u16)x18, (i16)-(i16)x20,
                  ((i16)bpf_get_smp_processor_id() <= *v21) ? 1 : 0, x18 << 19);
      if (r > (u8)*v21) {
        fn6(x18, x17, x19, (u8)x20);
      } else {
        x19 ^= i22;
      }
      { i8 k = (i8)(-127 - *v21) % 8; i8 v = ((i8)bpf_xdp_get_buff_len(ctx) > -2) ? 1 : 0;
        bpf_map_update_elem(&m5, &k, &v, BPF_NOEXIST); }
      i8 k24 = (i8)x20 & 7;
      i8 *v24 = bpf_map_lookup_elem(&m5, &k24);
      if (v24) x20 = (u8)*v24 ? x20 + x19 : 14010097930082416051ull;
      else x19 -= (2 & x19) | 6;
    } while (i22 < 6);
    struct H0 *h26 = HDR(struct H0, 43);
    if (h26) {
      if (x17 > (i32)x19 && (i16)h26->f0) return XDP_ABORTED;
      i8 k = (i8)h26->f1 % 8; i8 v = *v21 % 0x5e;
      bpf_map_update_elem(&m5, &k, &v, BPF_ANY);
    }
  }
  struct H1 *h33 = HDR(struct H1, (x19 / x18) & 15);
  if (h33) h33->f3 = -x20;
  return XDP_PASS;
}
