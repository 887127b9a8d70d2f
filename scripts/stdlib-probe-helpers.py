#!/usr/bin/env python3
# Asks the running kernel which helpers are GPL-only and which of tsbpf's program types
# offer them, for stdlib/tables/helpers-probed.json.
# The manual does not say; the verifier does: it checks a helper's gpl_only flag before
# its arguments, so a two-instruction program "call N; exit" loaded with a non-GPL
# license fails with "GPL-restricted" exactly when the helper is GPL-only. Each helper is
# tried in several program types until one of them offers it. Needs root (CAP_BPF).
# The seeds list helpers for XDP and LWT only; "offeredTo" also covers tc and cgroup_skb.
# Usage: python3 scripts/stdlib-probe-helpers.py ../shared/data/helpers-all.txt > stdlib/tables/helpers-probed.json
import ctypes, json, struct, sys

libc = ctypes.CDLL(None, use_errno=True)
SYS_BPF = 321  # x86_64
BPF_PROG_LOAD = 5
# xdp, lwt_xmit, lwt_in, lwt_out, sched_cls, cgroup_skb, then the rest (socket_filter, kprobe,
# tracepoint, perf_event, sock_ops, sk_skb, sk_msg, lwt_seg6local, flow_dissector, syscall).
PROG_TYPES = [6, 12, 10, 11, 3, 8, 4, 1, 2, 5, 7, 13, 14, 16, 18, 22, 31]  # ours first


def insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def probe(helper_id, prog_type):
    prog = b"".join(insn(0xB7, dst=r) for r in range(1, 6)) + insn(0x85, imm=helper_id) + insn(0x95)
    progbuf = ctypes.create_string_buffer(prog)
    lic = ctypes.create_string_buffer(b"MIT")
    log = ctypes.create_string_buffer(65536)
    attr = ctypes.create_string_buffer(144)
    flags = 1 << 4 if prog_type == 31 else 0  # syscall programs must be sleepable
    struct.pack_into("<IIQQIIQII", attr, 0, prog_type, len(prog) // 8, ctypes.addressof(progbuf),
                     ctypes.addressof(lic), 1, len(log), ctypes.addressof(log), 0, flags)
    fd = libc.syscall(SYS_BPF, BPF_PROG_LOAD, attr, 144)
    if fd >= 0:
        libc.close(fd)
        return False
    text = log.value.decode(errors="replace")
    if "GPL-restricted" in text or "gpl_only" in text:
        return True
    if "unknown func" in text or "program of this type cannot use helper" in text:
        return None  # not offered to this program type
    if f"#{helper_id}\n" in text:
        return False  # the verifier got past the GPL check to the arguments
    return None  # rejected before the call was looked at: says nothing


OURS = {6: "xdp", 10: "lwt_in", 11: "lwt_out", 12: "lwt_xmit", 3: "tc", 8: "cgroup_skb"}


def main():
    out = {}
    for line in open(sys.argv[1]):
        hid, name = line.split()
        results = {t: probe(int(hid), t) for t in PROG_TYPES}
        gpl = next((v for v in results.values() if v is not None), None)
        offered = [OURS[t] for t in OURS if results[t] is not None]
        out[name] = {"gplOnly": gpl, "offeredTo": offered}
    json.dump(out, sys.stdout, indent=1)
    print()


main()
