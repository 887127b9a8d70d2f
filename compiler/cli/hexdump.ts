// Bytes to and from text for `tsbpf run`: a packet given on the command line
// as hex (spaces, colons and a 0x prefix allowed, so output of tcpdump -xx,
// Wireshark's "copy as hex" and our own dump all paste back in), and the
// classic 16-bytes-a-row dump with offsets and ASCII for output packets.

/** Parses hex text; returns a message instead of throwing on bad input. */
export function parseHex(text: string): Uint8Array | string {
  const clean = text.replace(/0x/gi, "").replace(/[\s:.,_-]/g, "");
  if (clean.length === 0) return "the packet is empty";
  if (!/^[0-9a-f]*$/i.test(clean)) {
    const bad = /[^0-9a-f]/i.exec(clean)![0];
    return `'${bad}' is not a hex digit`;
  }
  if (clean.length % 2 !== 0) return `odd number of hex digits (${clean.length})`;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Lower-case hex without separators (for JSON and one-line output). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** `0000  45 00 00 1c ...  |E...|` rows, as hexdump -C prints them. */
export function hexdump(bytes: Uint8Array, indent = ""): string {
  const rows: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const chunk = bytes.subarray(at, at + 16);
    const hex = [...chunk].map((b) => b.toString(16).padStart(2, "0"));
    const left = hex.slice(0, 8).join(" ");
    const right = hex.slice(8).join(" ");
    const ascii = [...chunk].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "."));
    rows.push(
      `${indent}${at.toString(16).padStart(4, "0")}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii.join("")}|`,
    );
  }
  return rows.join("\n");
}
