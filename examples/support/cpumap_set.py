#!/usr/bin/env python3
# Sets one CPU's entry of a BPF_MAP_TYPE_CPUMAP: struct bpf_cpumap_val
# { u32 qsize; int prog_fd; }. bpftool writes map values as plain bytes and
# cannot put a program's fd into one, so this does the update with bpf(2):
# it opens the map and the second-stage program (pinned paths, or "id:N"),
# and the kernel checks that the program is XDP with expected attach type
# BPF_XDP_CPUMAP (section xdp/cpumap) - EINVAL otherwise.
#
#   python3 cpumap_set.py MAP CPU QSIZE [PROG]     (QSIZE 0 frees the CPU's slot)
#   e.g. python3 cpumap_set.py /sys/fs/bpf/cpu_steer_maps/cpus 1 192 /sys/fs/bpf/cpu_steer/on_cpu
#
# Prints {"ok": true, "map_id": ..., "prog_id": ...} or an error on stderr (exit 1).
import ctypes
import json
import os
import platform
import sys

SYS_BPF = {"x86_64": 321, "aarch64": 280}.get(platform.machine())
BPF_MAP_UPDATE_ELEM = 2
BPF_OBJ_GET = 7
BPF_PROG_GET_FD_BY_ID = 13
BPF_MAP_GET_FD_BY_ID = 14
BPF_OBJ_GET_INFO_BY_FD = 15
BPF_MAP_TYPE_CPUMAP = 16

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


class ObjGet(ctypes.Structure):
    _fields_ = [("pathname", ctypes.c_uint64), ("bpf_fd", ctypes.c_uint32),
                ("file_flags", ctypes.c_uint32)]


class GetFdById(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32), ("next_id", ctypes.c_uint32),
                ("open_flags", ctypes.c_uint32)]


class MapElem(ctypes.Structure):
    _fields_ = [("map_fd", ctypes.c_uint32), ("pad", ctypes.c_uint32),
                ("key", ctypes.c_uint64), ("value", ctypes.c_uint64),
                ("flags", ctypes.c_uint64)]


class InfoByFd(ctypes.Structure):
    _fields_ = [("bpf_fd", ctypes.c_uint32), ("info_len", ctypes.c_uint32),
                ("info", ctypes.c_uint64)]


class MapInfo(ctypes.Structure):
    # The head of struct bpf_map_info; the kernel accepts a short info_len.
    _fields_ = [("type", ctypes.c_uint32), ("id", ctypes.c_uint32),
                ("key_size", ctypes.c_uint32), ("value_size", ctypes.c_uint32),
                ("max_entries", ctypes.c_uint32), ("map_flags", ctypes.c_uint32),
                ("name", ctypes.c_char * 16)]


class ProgInfo(ctypes.Structure):
    _fields_ = [("type", ctypes.c_uint32), ("id", ctypes.c_uint32)]


class BpfError(Exception):
    pass


def bpf(cmd, attr, what):
    r = libc.syscall(SYS_BPF, cmd, ctypes.byref(attr), ctypes.sizeof(attr))
    if r < 0:
        e = ctypes.get_errno()
        raise BpfError("%s: %s (%s)" % (what, os.strerror(e), errno_name(e)))
    return r


def errno_name(e):
    import errno
    return errno.errorcode.get(e, str(e))


def open_obj(ref, by_id_cmd, what):
    """A pinned path, or id:N."""
    if ref.startswith("id:"):
        return bpf(by_id_cmd, GetFdById(id=int(ref[3:])), "%s %s" % (what, ref))
    path = ctypes.create_string_buffer(ref.encode())
    return bpf(BPF_OBJ_GET, ObjGet(pathname=ctypes.addressof(path)), "%s %s" % (what, ref))


def info_of(fd, info, what):
    a = InfoByFd(bpf_fd=fd, info_len=ctypes.sizeof(info), info=ctypes.addressof(info))
    bpf(BPF_OBJ_GET_INFO_BY_FD, a, what)
    return info


def main(argv):
    if SYS_BPF is None:
        raise BpfError("unsupported machine %s" % platform.machine())
    if len(argv) not in (3, 4):
        sys.stderr.write("usage: cpumap_set.py MAP CPU QSIZE [PROG]\n")
        return 2
    map_fd = open_obj(argv[0], BPF_MAP_GET_FD_BY_ID, "map")
    mi = info_of(map_fd, MapInfo(), "map info")
    if mi.type != BPF_MAP_TYPE_CPUMAP:
        raise BpfError("map %s is not a cpumap (type %d)" % (argv[0], mi.type))
    prog_fd, prog_id = 0, None
    if len(argv) == 4:
        if mi.value_size < 8:
            raise BpfError("map %s has %d-byte values: no room for a program "
                           "(struct bpf_cpumap_val needs 8)" % (argv[0], mi.value_size))
        prog_fd = open_obj(argv[3], BPF_PROG_GET_FD_BY_ID, "program")
        prog_id = info_of(prog_fd, ProgInfo(), "program info").id
    key = ctypes.c_uint32(int(argv[1]))
    value = (ctypes.c_uint32 * 2)(int(argv[2]), prog_fd)
    size = ctypes.c_uint32 * (mi.value_size // 4)
    buf = size(*value[: mi.value_size // 4])
    bpf(BPF_MAP_UPDATE_ELEM, MapElem(map_fd=map_fd, key=ctypes.addressof(key),
                                     value=ctypes.addressof(buf)),
        "update cpu %s of map %s" % (argv[1], argv[0]))
    print(json.dumps({"ok": True, "map_id": mi.id, "prog_id": prog_id}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BpfError as e:
        print("cpumap_set: %s" % e, file=sys.stderr)
        sys.exit(1)
