// A reader (and, for tests, a writer) for classic libpcap files: a 24-byte
// global header, then records of a 16-byte header and the captured bytes.
// Both byte orders and both timestamp resolutions (µs magic a1b2c3d4, ns
// magic a1b23c4d) are read; only link type Ethernet (1) is accepted, since
// XDP and test_run both start at the Ethernet header. pcapng is refused
// with a message that says how to convert it.

export const LINKTYPE_ETHERNET = 1;

export interface PcapPacket {
  /** Seconds since the epoch (with the fraction). */
  time: number;
  /** The captured bytes (may be shorter than the original when a snaplen cut it). */
  data: Uint8Array;
  /** The length on the wire. */
  originalLength: number;
}

export class PcapError extends Error {
  override name = "PcapError";
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const PCAPNG = 0x0a0d0d0a;

/** Every packet of a pcap file; throws PcapError with a readable reason. */
export function readPcap(bytes: Uint8Array): PcapPacket[] {
  if (bytes.length < 24) throw new PcapError("too short for a pcap header (24 bytes)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = view.getUint32(0, true);
  if (raw === PCAPNG) {
    throw new PcapError(
      "this is a pcapng file; convert it with `editcap -F pcap in.pcapng out.pcap`",
    );
  }
  let little: boolean;
  if (raw === MAGIC_US || raw === MAGIC_NS) little = true;
  else if (view.getUint32(0, false) === MAGIC_US || view.getUint32(0, false) === MAGIC_NS) {
    little = false;
  } else {
    throw new PcapError(`not a pcap file (magic 0x${raw.toString(16).padStart(8, "0")})`);
  }
  const nano = view.getUint32(0, little) === MAGIC_NS;
  const linkType = view.getUint32(20, little) & 0x0fffffff;
  if (linkType !== LINKTYPE_ETHERNET) {
    throw new PcapError(`link type ${linkType} is not Ethernet (1); capture on an Ethernet device`);
  }
  const packets: PcapPacket[] = [];
  let at = 24;
  while (at < bytes.length) {
    if (at + 16 > bytes.length) {
      throw new PcapError(`record ${packets.length + 1} is cut short (header at byte ${at})`);
    }
    const sec = view.getUint32(at, little);
    const frac = view.getUint32(at + 4, little);
    const caplen = view.getUint32(at + 8, little);
    const origlen = view.getUint32(at + 12, little);
    if (at + 16 + caplen > bytes.length) {
      throw new PcapError(`record ${packets.length + 1} is cut short (${caplen} bytes announced)`);
    }
    packets.push({
      time: sec + frac / (nano ? 1e9 : 1e6),
      data: bytes.slice(at + 16, at + 16 + caplen),
      originalLength: origlen,
    });
    at += 16 + caplen;
  }
  return packets;
}

/** A pcap file (µs timestamps) holding `packets`; for tests and for saving output. */
export function writePcap(
  packets: readonly Uint8Array[],
  opts: { bigEndian?: boolean; linkType?: number } = {},
): Uint8Array {
  const little = !opts.bigEndian;
  const size = 24 + packets.reduce((n, p) => n + 16 + p.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC_US, little);
  view.setUint16(4, 2, little);
  view.setUint16(6, 4, little);
  view.setUint32(16, 65535, little);
  view.setUint32(20, opts.linkType ?? LINKTYPE_ETHERNET, little);
  let at = 24;
  packets.forEach((p, i) => {
    view.setUint32(at, 1_700_000_000 + i, little);
    view.setUint32(at + 8, p.length, little);
    view.setUint32(at + 12, p.length, little);
    out.set(p, at + 16);
    at += 16 + p.length;
  });
  return out;
}
