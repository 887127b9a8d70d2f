/* Shared includes for the C side of the benchmark corpus: what a libbpf user
 * writes (uapi headers, bpf_helpers.h, bpf_endian.h), plus the 802.1Q header
 * that uapi does not export. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef ETH_P_8021Q
#define ETH_P_8021Q 0x8100
#endif

struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};
#endif
