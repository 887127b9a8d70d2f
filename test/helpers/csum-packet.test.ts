// Unit tests of the checksum and packet families on a hand-built RunEnv:
// checksum arithmetic against a from-scratch RFC 1071 computation, the
// kernel's argument checks, and packet geometry changes.

import { describe, expect, it } from "vitest";
import { csumHelpers, csumFold, csumPartial } from "../../runtime/helpers/csum.js";
import { packetHelpers } from "../../runtime/helpers/packet.js";
import { bytes, call, defaultFrame, makeEnv } from "./harness.js";

/** RFC 1071 checksum of big-endian 16-bit words. */
function rfc1071(b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function ipv4Header(): Uint8Array {
  const h = bytes(0x45, 0, 0, 40, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2);
  const c = rfc1071(h);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return h;
}

describe("checksum helpers", () => {
  it("csum fold of csum_partial matches RFC 1071 (byte-swapped little-endian view)", () => {
    const h = ipv4Header();
    h[10] = h[11] = 0;
    const c = csumFold(csumPartial(h, 0));
    expect(((c & 0xff) << 8) | (c >> 8)).toBe(rfc1071(h));
  });

  it("bpf_csum_diff: sizes must be multiples of 4; pure push returns the folded sum", () => {
    const env = makeEnv();
    const a = env.mem(bytes(1, 2, 3, 4));
    expect(call(env, csumHelpers, "bpf_csum_diff", 0, 0, a, 3, 0)).toBe(-22n);
    expect(call(env, csumHelpers, "bpf_csum_diff", 0, 0, a, 4, 0)).toBe(0x0604n);
    expect(call(env, csumHelpers, "bpf_csum_diff", 0, 0, 0, 0, 0x1234)).toBe(0x1234n);
    // from == to: the difference is zero (0xffff or 0 representative).
    const d = call(env, csumHelpers, "bpf_csum_diff", a, 4, a, 4, 0);
    expect([0n, 0xffffn]).toContain(d);
  });

  it("bpf_l3_csum_replace keeps the IPv4 header checksum valid after a change of daddr", () => {
    const frame = new Uint8Array(54);
    frame[12] = 0x08;
    frame.set(ipv4Header(), 14);
    const env = makeEnv({ progType: "lwt_xmit", frame });
    const pkt = env.packet.bytes();
    const old = new DataView(pkt.buffer, pkt.byteOffset).getUint32(16, true);
    pkt.set([192, 168, 1, 1], 16);
    const now = new DataView(pkt.buffer, pkt.byteOffset).getUint32(16, true);
    expect(call(env, csumHelpers, "bpf_l3_csum_replace", env.ctx.region.ptr, 10, old, now, 4)).toBe(
      0n,
    );
    expect(rfc1071(env.packet.bytes().subarray(0, 20))).toBe(0);
    expect(call(env, csumHelpers, "bpf_l3_csum_replace", 0, 11, 0, 0, 4)).toBe(-14n);
    expect(call(env, csumHelpers, "bpf_l3_csum_replace", 0, 10, 0, 0, 3)).toBe(-22n);
    expect(call(env, csumHelpers, "bpf_l3_csum_replace", 0, 10, 1, 0, 0)).toBe(-22n);
    expect(call(env, csumHelpers, "bpf_l3_csum_replace", 0, 1000, 0, 0, 4)).toBe(-14n);
  });

  it("bpf_l4_csum_replace honours BPF_F_MARK_MANGLED_0", () => {
    const frame = new Uint8Array(54);
    frame[12] = 0x08;
    const env = makeEnv({ progType: "lwt_xmit", frame });
    // checksum field at offset 26 is 0: MARK_MANGLED_0 leaves it alone.
    expect(call(env, csumHelpers, "bpf_l4_csum_replace", 0, 26, 0, 5, 4 | 32)).toBe(0n);
    expect(env.packet.bytes()[26]).toBe(0);
    expect(call(env, csumHelpers, "bpf_l4_csum_replace", 0, 26, 0, 5, 4 | 0x100)).toBe(-22n);
  });

  it("csum_level and csum_update on a CHECKSUM_NONE skb", () => {
    const env = makeEnv({ progType: "lwt_xmit" });
    expect(call(env, csumHelpers, "bpf_csum_level", 0, 0)).toBe(-13n);
    expect(call(env, csumHelpers, "bpf_csum_level", 0, 1)).toBe(0n);
    expect(call(env, csumHelpers, "bpf_csum_level", 0, 0)).toBe(0n);
    expect(call(env, csumHelpers, "bpf_csum_level", 0, 9)).toBe(-22n);
    expect(call(env, csumHelpers, "bpf_csum_update", 0, 5)).toBe(-524n);
  });

  it("helpers the kernel does not offer to a program type fault", () => {
    const env = makeEnv({ progType: "xdp" });
    expect(() => call(env, csumHelpers, "bpf_l3_csum_replace", 0, 10, 0, 0, 4)).toThrow(
      /not available to xdp/,
    );
  });
});

describe("packet helpers", () => {
  it("bpf_xdp_adjust_tail grows with zeros, refuses below ETH_HLEN and past the frame", () => {
    const env = makeEnv({ frame: defaultFrame(64) });
    expect(call(env, packetHelpers, "bpf_xdp_adjust_tail", 0, 10)).toBe(0n);
    expect(env.packet.bytes().length).toBe(74);
    expect([...env.packet.bytes().subarray(64)]).toEqual(new Array(10).fill(0));
    expect(call(env, packetHelpers, "bpf_xdp_adjust_tail", 0, -61)).toBe(-22n);
    expect(call(env, packetHelpers, "bpf_xdp_adjust_tail", 0, 4000)).toBe(-22n);
    expect(call(env, packetHelpers, "bpf_xdp_get_buff_len", 0)).toBe(74n);
  });

  it("bpf_xdp_adjust_meta: multiples of 4 up to 255 bytes, past struct xdp_frame", () => {
    const meta = (offset: number) =>
      call(makeEnv(), packetHelpers, "bpf_xdp_adjust_meta", 0, offset);
    expect(meta(-8)).toBe(0n);
    expect(meta(-2)).toBe(-13n);
    expect(meta(-36)).toBe(0n);
    expect(meta(12)).toBe(-22n);
    // data_meta may not reach into struct xdp_frame (40 bytes) at the frame start.
    expect(meta(-216)).toBe(0n);
    expect(meta(-220)).toBe(-22n);
    const env = makeEnv();
    expect(call(env, packetHelpers, "bpf_xdp_adjust_meta", 0, -8)).toBe(0n);
    expect(env.packet.metadata().length).toBe(8);
  });

  it("bpf_xdp_load_bytes / store_bytes", () => {
    const env = makeEnv();
    const buf = env.mem(8);
    expect(call(env, packetHelpers, "bpf_xdp_load_bytes", 0, 14, buf, 4)).toBe(0n);
    expect([...env.vm.mem.read(buf, 4)]).toEqual([0x45, 15, 16, 17]);
    expect(call(env, packetHelpers, "bpf_xdp_load_bytes", 0, 62, buf, 4)).toBe(-22n);
    expect(call(env, packetHelpers, "bpf_xdp_store_bytes", 0, 0, buf, 2)).toBe(0n);
    expect(env.packet.bytes()[0]).toBe(0x45);
  });

  it("bpf_skb_load_bytes clears the buffer on -EFAULT", () => {
    const env = makeEnv({ progType: "lwt_in" });
    const buf = env.mem(bytes(9, 9, 9, 9));
    expect(call(env, packetHelpers, "bpf_skb_load_bytes", 0, 48, buf, 4)).toBe(-14n);
    expect([...env.vm.mem.read(buf, 4)]).toEqual([0, 0, 0, 0]);
    expect(call(env, packetHelpers, "bpf_skb_load_bytes", 0, 0, buf, 4)).toBe(0n);
    expect(env.vm.mem.read(buf, 1)[0]).toBe(0x45);
  });

  it("bpf_skb_change_head / change_tail move the bounds and zero new bytes", () => {
    const env = makeEnv({ progType: "lwt_xmit" });
    const before = env.packet.region.ptr;
    expect(call(env, packetHelpers, "bpf_skb_change_head", 0, 20, 0)).toBe(0n);
    expect(env.packet.bytes().length).toBe(70);
    expect([...env.packet.bytes().subarray(0, 20)]).toEqual(new Array(20).fill(0));
    expect(env.packet.region.ptr).not.toBe(before);
    expect(call(env, packetHelpers, "bpf_skb_change_tail", 0, 100, 0)).toBe(0n);
    expect(env.packet.bytes().length).toBe(100);
    expect(call(env, packetHelpers, "bpf_skb_change_tail", 0, 100, 1)).toBe(-22n);
    expect(call(env, packetHelpers, "bpf_skb_change_tail", 0, 70000, 0)).toBe(-22n);
  });

  it("bpf_check_mtu on the loopback device", () => {
    const env = makeEnv();
    const mtu = env.mem(4);
    expect(call(env, packetHelpers, "bpf_check_mtu", 0, 0, mtu, 0, 0)).toBe(0n);
    expect(new DataView(env.vm.mem.read(mtu, 4).slice().buffer).getUint32(0, true)).toBe(65536);
    expect(call(env, packetHelpers, "bpf_check_mtu", 0, 0, mtu, 70000, 0)).toBe(1n);
    expect(call(env, packetHelpers, "bpf_check_mtu", 0, 77, mtu, 0, 0)).toBe(-19n);
  });
});
