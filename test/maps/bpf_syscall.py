#!/usr/bin/env python3
# What bpftool 7.1 cannot do, through bpf(2) directly (ctypes, no deps):
# create a bloom filter with map_extra (number of hash functions) and pin it,
# and peek many values of a pinned bloom filter (BPF_MAP_LOOKUP_ELEM, no key).
# Usage:
#   bpf_syscall.py create-bloom PATH VALUE_SIZE MAX_ENTRIES FLAGS MAP_EXTRA
#   bpf_syscall.py peek PATH HEX...      -> one line per value: 0 or -errno
import ctypes, ctypes.util, os, sys

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
SYS_BPF = 321  # x86_64
MAP_CREATE, MAP_LOOKUP_ELEM, OBJ_PIN, OBJ_GET = 0, 1, 6, 7


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), 128)
    r = libc.syscall(SYS_BPF, cmd, buf, 128)
    return r if r >= 0 else -ctypes.get_errno()


def u32(n):
    return n.to_bytes(4, "little")


def u64(n):
    return n.to_bytes(8, "little")


def path_attr(path, fd=0):
    p = ctypes.create_string_buffer(path.encode())
    return p, u64(ctypes.addressof(p)) + u32(fd) + u32(0)


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "create-bloom":
        vs, me, fl, ex = (int(x, 0) for x in sys.argv[3:7])
        attr = u32(30) + u32(0) + u32(vs) + u32(me) + u32(fl) + u32(0) + u32(0)
        attr += b"tsbpf_bloom".ljust(16, b"\0") + u32(0) * 5 + u64(ex)
        fd = bpf(MAP_CREATE, attr)
        if fd < 0:
            print(fd)
            return
        p, a = path_attr(path, fd)
        print(bpf(OBJ_PIN, a))
    elif cmd == "peek":
        p, a = path_attr(path)
        fd = bpf(OBJ_GET, a)
        if fd < 0:
            print(fd)
            return
        for h in sys.argv[3:]:
            v = ctypes.create_string_buffer(bytes.fromhex(h), len(h) // 2)
            attr = u32(fd) + u32(0) + u64(0) + u64(ctypes.addressof(v)) + u64(0)
            print(bpf(MAP_LOOKUP_ELEM, attr))
        os.close(fd)


main()
