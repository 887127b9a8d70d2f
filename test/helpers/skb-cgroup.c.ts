// C sources for the bpf_skb_under_cgroup test (test/helpers/skb-cgroup-kernel.test.ts):
// an LWT program asking about every slot of a cgroup array, and the user-space
// tool that puts a cgroup into a slot in the kernel (the map takes a cgroup
// directory's fd, which bpftool cannot pass).

export const SKB_CGROUP_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_CGROUP_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } cg SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
SEC("lwt_xmit") int under(struct __sk_buff *skb) {
  for (__u32 i = 0; i < 6; i++) put(i, bpf_skb_under_cgroup(skb, &cg, i));
  return BPF_OK;
}
char _license[] SEC("license") = "GPL";
`;

/** cgarray MAP_ID INDEX CGROUP_DIR: store the cgroup's fd at INDEX of the cgroup array. */
export const CGROUP_ARRAY_SET_C = String.raw`
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
static long sys_bpf(int cmd, union bpf_attr *a) { return syscall(__NR_bpf, cmd, a, sizeof(*a)); }
int main(int argc, char **argv) {
  if (argc != 4) return 2;
  union bpf_attr a;
  memset(&a, 0, sizeof(a));
  a.map_id = atoi(argv[1]);
  int map = sys_bpf(BPF_MAP_GET_FD_BY_ID, &a);
  int cg = open(argv[3], O_RDONLY | O_DIRECTORY);
  if (map < 0 || cg < 0) { perror("open"); return 1; }
  unsigned key = atoi(argv[2]), value = cg;
  memset(&a, 0, sizeof(a));
  a.map_fd = map;
  a.key = (unsigned long)&key;
  a.value = (unsigned long)&value;
  if (sys_bpf(BPF_MAP_UPDATE_ELEM, &a)) { perror("update"); return 1; }
  return 0;
}
`;
