#!/usr/bin/env python3
# A persistent helper that talks to the kernel through the bpf(2) syscall, so
# the differential fuzzer pays one process spawn per session instead of one
# bpftool spawn per BPF_PROG_TEST_RUN and per map dump. Programs are loaded by
# bpftool (libbpf reads our ELF), pinned, then opened here with BPF_OBJ_GET.
#
# Protocol: one JSON object per line on stdin, one JSON reply per line on
# stdout. Replies are {"ok": true, ...} or {"ok": false, "error": "..."}.
#   {"op": "open", "pin": "/sys/fs/bpf/..."}        -> {"fd", "maps": [{"fd", "name", ...}]}
#   {"op": "run", "fd": F, "data": "hex", "maps": [fd, ...]}
#        -> {"retval", "data": "hex", "maps": [[hex value per key 0..max-1], ...]}
#   {"op": "run", "fd": F, "data": "hex", "dump": [fd, ...]}
#        -> {"retval", "data": "hex", "dumps": [[[key hex, value hex or [hex per CPU]], ...], ...]}
#   {"op": "close", "fds": [F, ...]}                 -> {}
# "maps" reads array maps (keys are u32 indexes); "dump" walks any keyed map
# with BPF_MAP_GET_NEXT_KEY (entries sorted by key). Per-CPU maps give one value per CPU.
# A run's reply also has "cpuNs": {"testRun", "dump"}, this process's CPU time (user +
# system, so the kernel's work in the syscalls too) for the test run and for the map reads.
# The process pins itself to CPU 0 so per-CPU values land in a known slot.
import ctypes
import json
import os
import platform
import sys
import time

SYS_BPF = {"x86_64": 321, "aarch64": 280}.get(platform.machine())
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

BPF_MAP_LOOKUP_ELEM = 1
BPF_MAP_GET_NEXT_KEY = 4
BPF_OBJ_GET = 7
BPF_PROG_TEST_RUN = 10
BPF_MAP_GET_FD_BY_ID = 14
BPF_OBJ_GET_INFO_BY_FD = 15
PERCPU_TYPES = {5, 6, 10}  # percpu hash, percpu array, lru percpu hash


def bpf(cmd, attr):
    r = libc.syscall(SYS_BPF, cmd, ctypes.byref(attr), ctypes.sizeof(attr))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


class ObjGet(ctypes.Structure):
    _fields_ = [("pathname", ctypes.c_uint64), ("bpf_fd", ctypes.c_uint32),
                ("file_flags", ctypes.c_uint32), ("path_fd", ctypes.c_int32)]


class TestRun(ctypes.Structure):
    _fields_ = [("prog_fd", ctypes.c_uint32), ("retval", ctypes.c_uint32),
                ("data_size_in", ctypes.c_uint32), ("data_size_out", ctypes.c_uint32),
                ("data_in", ctypes.c_uint64), ("data_out", ctypes.c_uint64),
                ("repeat", ctypes.c_uint32), ("duration", ctypes.c_uint32),
                ("ctx_size_in", ctypes.c_uint32), ("ctx_size_out", ctypes.c_uint32),
                ("ctx_in", ctypes.c_uint64), ("ctx_out", ctypes.c_uint64),
                ("flags", ctypes.c_uint32), ("cpu", ctypes.c_uint32),
                ("batch_size", ctypes.c_uint32), ("pad", ctypes.c_uint32)]


class InfoByFd(ctypes.Structure):
    _fields_ = [("bpf_fd", ctypes.c_uint32), ("info_len", ctypes.c_uint32),
                ("info", ctypes.c_uint64)]


class GetFdById(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint32), ("next_id", ctypes.c_uint32),
                ("open_flags", ctypes.c_uint32), ("fd_by_id_token_fd", ctypes.c_uint32)]


class MapElem(ctypes.Structure):
    _fields_ = [("map_fd", ctypes.c_uint32), ("pad", ctypes.c_uint32),
                ("key", ctypes.c_uint64), ("value", ctypes.c_uint64),
                ("flags", ctypes.c_uint64)]


class ProgInfo(ctypes.Structure):
    # The head of struct bpf_prog_info, up to map_ids; the kernel accepts a short info_len.
    _fields_ = [("type", ctypes.c_uint32), ("id", ctypes.c_uint32), ("tag", ctypes.c_uint8 * 8),
                ("jited_prog_len", ctypes.c_uint32), ("xlated_prog_len", ctypes.c_uint32),
                ("jited_prog_insns", ctypes.c_uint64), ("xlated_prog_insns", ctypes.c_uint64),
                ("load_time", ctypes.c_uint64), ("created_by_uid", ctypes.c_uint32),
                ("nr_map_ids", ctypes.c_uint32), ("map_ids", ctypes.c_uint64)]


class MapInfo(ctypes.Structure):
    _fields_ = [("type", ctypes.c_uint32), ("id", ctypes.c_uint32),
                ("key_size", ctypes.c_uint32), ("value_size", ctypes.c_uint32),
                ("max_entries", ctypes.c_uint32), ("map_flags", ctypes.c_uint32),
                ("name", ctypes.c_char * 16)]


def info_of(fd, info):
    a = InfoByFd(bpf_fd=fd, info_len=ctypes.sizeof(info), info=ctypes.addressof(info))
    bpf(BPF_OBJ_GET_INFO_BY_FD, a)
    return info


maps_by_fd = {}
ncpus = os.cpu_count() or 1
try:
    with open("/sys/devices/system/cpu/possible") as f:
        ncpus = int(f.read().strip().split(",")[-1].split("-")[-1]) + 1
except OSError:
    pass


def op_open(req):
    path = ctypes.create_string_buffer(req["pin"].encode())
    fd = bpf(BPF_OBJ_GET, ObjGet(pathname=ctypes.addressof(path)))
    ids = (ctypes.c_uint32 * 64)()
    pi = ProgInfo(nr_map_ids=64, map_ids=ctypes.addressof(ids))
    info_of(fd, pi)
    maps = []
    for i in range(min(pi.nr_map_ids, 64)):
        mfd = bpf(BPF_MAP_GET_FD_BY_ID, GetFdById(id=ids[i]))
        mi = info_of(mfd, MapInfo())
        m = {"fd": mfd, "name": mi.name.decode(), "type": mi.type, "keySize": mi.key_size,
             "valueSize": mi.value_size, "maxEntries": mi.max_entries}
        maps_by_fd[mfd] = m
        maps.append(m)
    return {"fd": fd, "id": pi.id, "maps": maps}


def dump_array(mfd):
    m = maps_by_fd[mfd]
    percpu = m["type"] in PERCPU_TYPES
    stride = (m["valueSize"] + 7) // 8 * 8
    size = stride * ncpus if percpu else m["valueSize"]
    key = ctypes.c_uint32()
    val = ctypes.create_string_buffer(size)
    out = []
    for k in range(m["maxEntries"]):
        key.value = k
        try:
            bpf(BPF_MAP_LOOKUP_ELEM, MapElem(map_fd=mfd, key=ctypes.addressof(key),
                                              value=ctypes.addressof(val)))
        except OSError:
            out.append(None)
            continue
        raw = val.raw
        if percpu:
            out.append([raw[c * stride:c * stride + m["valueSize"]].hex() for c in range(ncpus)])
        else:
            out.append(raw.hex())
    return out


def dump_map(mfd):
    """Every entry of a keyed map (hash, array, per-CPU), sorted by key."""
    m = maps_by_fd[mfd]
    percpu = m["type"] in PERCPU_TYPES
    stride = (m["valueSize"] + 7) // 8 * 8
    size = stride * ncpus if percpu else m["valueSize"]
    cur = ctypes.create_string_buffer(max(m["keySize"], 1))
    nxt = ctypes.create_string_buffer(max(m["keySize"], 1))
    val = ctypes.create_string_buffer(max(size, 1))
    keys = []
    first = True
    while len(keys) <= m["maxEntries"]:
        try:
            bpf(BPF_MAP_GET_NEXT_KEY, MapElem(map_fd=mfd, key=0 if first else ctypes.addressof(cur),
                                               value=ctypes.addressof(nxt)))
        except OSError:
            break
        first = False
        keys.append(nxt.raw[:m["keySize"]])
        ctypes.memmove(cur, nxt, m["keySize"])
    out = []
    for k in sorted(keys):
        kb = ctypes.create_string_buffer(k, len(k))
        try:
            bpf(BPF_MAP_LOOKUP_ELEM, MapElem(map_fd=mfd, key=ctypes.addressof(kb),
                                              value=ctypes.addressof(val)))
        except OSError:
            continue  # deleted between the walk and the lookup: cannot happen here, skip
        raw = val.raw
        if percpu:
            out.append([k.hex(), [raw[c * stride:c * stride + m["valueSize"]].hex()
                                  for c in range(ncpus)]])
        else:
            out.append([k.hex(), raw[:m["valueSize"]].hex()])
    return out


def op_run(req):
    data = bytes.fromhex(req["data"])
    din = ctypes.create_string_buffer(data, len(data))
    size_out = len(data) + 4096
    dout = ctypes.create_string_buffer(size_out)
    a = TestRun(prog_fd=req["fd"], data_size_in=len(data), data_in=ctypes.addressof(din),
                data_size_out=size_out, data_out=ctypes.addressof(dout), repeat=1)
    t0 = time.process_time_ns()
    bpf(BPF_PROG_TEST_RUN, a)
    t1 = time.process_time_ns()
    rep = {"retval": a.retval, "data": dout.raw[:a.data_size_out].hex(),
           "maps": [dump_array(m) for m in req.get("maps", [])],
           "dumps": [dump_map(m) for m in req.get("dump", [])]}
    rep["cpuNs"] = {"testRun": t1 - t0, "dump": time.process_time_ns() - t1}
    return rep


def op_close(req):
    for fd in req["fds"]:
        maps_by_fd.pop(fd, None)
        try:
            os.close(fd)
        except OSError:
            pass
    return {}


OPS = {"open": op_open, "run": op_run, "close": op_close}


def main():
    if SYS_BPF is None:
        print(json.dumps({"ok": False, "error": f"unsupported machine {platform.machine()}"}))
        return
    try:
        os.sched_setaffinity(0, {0})
    except OSError:
        pass
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            rep = OPS[req["op"]](req)
            rep["ok"] = True
        except Exception as e:  # every failure goes back to the client as data
            rep = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(rep) + "\n")
        sys.stdout.flush()


main()
