#!/usr/bin/env python3
# User-space producer for a pinned BPF_MAP_TYPE_USER_RINGBUF, as libbpf's
# user_ring_buffer__reserve/submit (or __discard) write it: the consumer page
# read-only at offset 0, the producer page and the data pages (mapped twice)
# at offset PAGE_SIZE. Each record: u32 len (| DISCARD bit) and u32 padding,
# the sample, rounded up to 8 bytes; the producer position moves after it.
# Usage: user_ringbuf_produce.py PATH SIZE HEX[:d]...  (":d": discarded)
#   -> one line per sample: 0, -7 (E2BIG) or -28 (ENOSPC)
import ctypes, ctypes.util, mmap, os, struct, sys

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
SYS_BPF, OBJ_GET = 321, 7
PAGE = 4096
DISCARD_BIT = 0x40000000


def obj_get(path):
    p = ctypes.create_string_buffer(path.encode())
    attr = struct.pack("<QII", ctypes.addressof(p), 0, 0)
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(SYS_BPF, OBJ_GET, buf, 128)
    return r if r >= 0 else -ctypes.get_errno()


def main():
    path, size = sys.argv[1], int(sys.argv[2])
    fd = obj_get(path)
    if fd < 0:
        print(fd)
        return
    cons = mmap.mmap(fd, PAGE, mmap.MAP_SHARED, mmap.PROT_READ, offset=0)
    prod = mmap.mmap(fd, PAGE + 2 * size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=PAGE)
    for arg in sys.argv[3:]:
        hexs, _, flag = arg.partition(":")
        sample = bytes.fromhex(hexs)
        total = (len(sample) + 8 + 7) // 8 * 8
        (c,) = struct.unpack_from("<Q", cons, 0)
        (p,) = struct.unpack_from("<Q", prod, 0)
        if total > size:
            print(-7)
            continue
        if total > size - (p - c):
            print(-28)
            continue
        at = PAGE + (p & (size - 1))
        struct.pack_into("<II", prod, at, len(sample) | (DISCARD_BIT if flag == "d" else 0), 0)
        prod[at + 8 : at + 8 + len(sample)] = sample
        struct.pack_into("<Q", prod, 0, p + total)
        print(0)
    os.close(fd)


main()
