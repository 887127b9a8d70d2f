// Shared by the C translations of saved fuzz findings (see verifier-cost.test.ts).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
typedef __u8 u8; typedef __u16 u16; typedef __u32 u32; typedef __u64 u64;
typedef __s8 i8; typedef __s16 i16; typedef __s32 i32; typedef __s64 i64;
/* tsbpf's ctx.header<T>(off): a view of sizeof(T) bytes at data+off, or null */
#define HDR(T, off) ({ void *d_ = (void *)(long)ctx->data, *e_ = (void *)(long)ctx->data_end; \
  (T *)((d_ + (off) + sizeof(T) <= e_) ? d_ + (off) : 0); })
#define MAP(name, ty, K, V, n) struct { __uint(type, ty); __uint(max_entries, n); __type(key, K); __type(value, V); } name SEC(".maps")
char LICENSE[] SEC("license") = "GPL";
