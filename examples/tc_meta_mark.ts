// The tc half of examples/xdp_meta_mark.ts: a tc ingress program on the
// same device reads the 4 bytes of metadata the XDP program put in front of
// each packet (__sk_buff->data_meta, typed with ctx.meta<Mark>() as on the
// XDP side) and turns the XDP program's verdict into skb->mark, where
// routing rules (`ip rule add fwmark 17 ...`) and nftables (`meta mark 17`)
// can use it without parsing the packet again. A per-CPU counter per mark
// value (slots 0..255: the IPv4 protocol number XDP wrote, 0 for non-IPv4)
// shows what arrived; slot 256 counts packets that came without metadata
// (no XDP program on the device, or a driver that does not keep it).
// Everything passes (TC_ACT_OK).
//
// Only tc programs may read data_meta: LWT and cgroup_skb programs are
// refused (TSB3014), as the kernel's verifier refuses them.
//
// Build:   npx tsbpf build examples/xdp_meta_mark.ts -o meta_mark.o
//          npx tsbpf build examples/tc_meta_mark.ts -o tc_meta_mark.o
// Attach:  ip link set dev eth0 xdp obj meta_mark.o sec xdp
//          tc qdisc add dev eth0 clsact
//          tc filter add dev eth0 ingress bpf da obj tc_meta_mark.o sec tc
// Read:    bpftool map dump name tc_marks   (one value per CPU; add them up)
// Detach:  tc qdisc del dev eth0 clsact; ip link set dev eth0 xdp off
import { tc, PerCpuArray, TC_ACT_OK } from "tsbpf";

/** The metadata, as examples/xdp_meta_mark.ts writes it (host byte order). */
interface Mark {
  mark: u32;
}

interface Counter {
  packets: u64;
}

const NO_METADATA = 256;

/** Slots 0..255: packets per mark; 256: packets without metadata. */
const tc_marks = new PerCpuArray<Counter>({ maxEntries: 257 });

function bump(slot: u32): void {
  const c = tc_marks.lookup(slot);
  if (c) c.packets += 1;
}

export const meta_to_mark = tc((skb) => {
  const meta = skb.meta<Mark>();
  if (!meta) {
    bump(NO_METADATA);
    return TC_ACT_OK;
  }
  const mark = meta.mark & 0xff;
  skb.mark = mark;
  bump(mark);
  return TC_ACT_OK;
});
