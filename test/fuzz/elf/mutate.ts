// Damaged BPF objects for the ELF reader: bit flips, interesting bytes,
// truncation, junk appended, corrupted ELF header and section header fields,
// corrupted symbol and relocation entries, damage aimed at .BTF/.BTF.ext,
// splices of two objects, and plain random bytes. Offsets follow ELF64
// little-endian, the only layout BPF objects use.

import type { Rng } from "../rng.js";

const SHDR = 64;
/** Field offsets and widths of Elf64_Shdr. */
const SHDR_FIELDS: readonly [number, 4 | 8][] = [
  [0, 4],
  [4, 4],
  [8, 8],
  [16, 8],
  [24, 8],
  [32, 8],
  [40, 4],
  [44, 4],
  [48, 8],
  [56, 8],
];
/** e_ident bytes worth breaking, then e_type..e_shstrndx. */
const EHDR_FIELDS: readonly [number, 1 | 2 | 4 | 8][] = [
  [4, 1],
  [5, 1],
  [6, 1],
  [16, 2],
  [18, 2],
  [20, 4],
  [24, 8],
  [32, 8],
  [40, 8],
  [48, 4],
  [52, 2],
  [54, 2],
  [56, 2],
  [58, 2],
  [60, 2],
  [62, 2],
];

interface Section {
  name: string;
  type: number;
  offset: number;
  size: number;
  entsize: number;
  header: number;
}

function u(v: DataView, at: number, w: number): number {
  if (at + w > v.byteLength) return 0;
  if (w === 1) return v.getUint8(at);
  if (w === 2) return v.getUint16(at, true);
  if (w === 4) return v.getUint32(at, true);
  return Number(v.getBigUint64(at, true) & 0xffff_ffffn);
}

function put(v: DataView, at: number, w: number, value: bigint): void {
  if (at < 0 || at + w > v.byteLength) return;
  const x = BigInt.asUintN(w * 8, value);
  if (w === 1) v.setUint8(at, Number(x));
  else if (w === 2) v.setUint16(at, Number(x), true);
  else if (w === 4) v.setUint32(at, Number(x), true);
  else v.setBigUint64(at, x, true);
}

/** Section headers as far as they can be read (best effort: damaged input is the point). */
export function sections(b: Uint8Array): Section[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const shoff = u(v, 40, 8);
  const shnum = u(v, 60, 2);
  const shstrndx = u(v, 62, 2);
  const out: Section[] = [];
  for (let i = 0; i < shnum && shoff + (i + 1) * SHDR <= b.length; i++) {
    const h = shoff + i * SHDR;
    out.push({
      name: "",
      type: u(v, h + 4, 4),
      offset: u(v, h + 24, 8),
      size: u(v, h + 32, 8),
      entsize: u(v, h + 56, 8),
      header: h,
    });
  }
  const strtab = out[shstrndx];
  if (strtab) {
    for (let i = 0; i < out.length; i++) {
      const at = strtab.offset + u(v, out[i]!.header, 4);
      let end = at;
      while (end < b.length && end < at + 64 && b[end] !== 0) end++;
      out[i]!.name = Buffer.from(b.subarray(at, end)).toString("latin1");
    }
  }
  return out;
}

function interesting(rng: Rng, near: number): bigint {
  return rng.pick([
    0n,
    1n,
    0xffn,
    0xffffn,
    0x7fffffffn,
    0xffffffffn,
    0xffffffffffffffffn,
    0x8000000000000000n,
    BigInt(near + 1),
    BigInt(Math.max(0, near - 1)),
    BigInt(near * 2),
    BigInt(rng.u32()),
    rng.u64(),
  ]);
}

/** One mutation of `seed`; `other` is a second object for splices. Returns the mutation's name too. */
export function mutateElf(
  rng: Rng,
  seed: Uint8Array,
  other: Uint8Array,
): { name: string; bytes: Uint8Array } {
  let b = seed.slice();
  const v = () => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const kind = rng.int(11);
  switch (kind) {
    case 0: {
      for (let n = rng.range(1, 8); n > 0; n--) b[rng.int(b.length)]! ^= 1 << rng.int(8);
      return { name: "bit-flips", bytes: b };
    }
    case 1: {
      for (let n = rng.range(1, 4); n > 0; n--)
        b[rng.int(b.length)] = rng.pick([0, 0xff, 0x7f, 0x80, 1]);
      return { name: "bytes", bytes: b };
    }
    case 2:
      return { name: "truncate", bytes: b.subarray(0, rng.int(b.length)) };
    case 3: {
      const [at, w] = rng.pick(EHDR_FIELDS);
      put(v(), at, w, interesting(rng, u(v(), at, w)));
      return { name: `ehdr+${at}`, bytes: b };
    }
    case 4:
    case 5: {
      const secs = sections(b);
      if (!secs.length) break;
      const s = rng.pick(secs);
      const [at, w] = rng.pick(SHDR_FIELDS);
      put(v(), s.header + at, w, interesting(rng, u(v(), s.header + at, w)));
      return { name: `shdr ${s.name}+${at}`, bytes: b };
    }
    case 6: {
      // An entry of .symtab or a .rel section: every field of it, one at a time.
      const secs = sections(b).filter(
        (s) => (s.type === 2 || s.type === 9) && s.entsize > 0 && s.size >= s.entsize,
      );
      if (!secs.length) break;
      const s = rng.pick(secs);
      const entry = s.offset + s.entsize * rng.int(Math.floor(s.size / s.entsize));
      const fields: [number, 1 | 2 | 4 | 8][] =
        s.type === 2
          ? [
              [0, 4],
              [4, 1],
              [5, 1],
              [6, 2],
              [8, 8],
              [16, 8],
            ]
          : [
              [0, 8],
              [8, 4],
              [12, 4],
            ];
      const [at, w] = rng.pick(fields);
      put(v(), entry + at, w, interesting(rng, u(v(), entry + at, w)));
      return { name: `${s.name} entry+${at}`, bytes: b };
    }
    case 7: {
      // Inside .BTF / .BTF.ext, where the reader decodes variable-length records.
      const secs = sections(b).filter((s) => s.name.startsWith(".BTF") && s.size > 0);
      if (!secs.length) break;
      const s = rng.pick(secs);
      for (let n = rng.range(1, 4); n > 0; n--) {
        const at = s.offset + rng.int(Math.min(s.size, 256) / 4) * 4;
        put(v(), at, 4, interesting(rng, u(v(), at, 4)));
      }
      return { name: `${s.name} words`, bytes: b };
    }
    case 8: {
      const at = rng.int(b.length);
      const from = rng.int(other.length);
      const len = rng.range(1, 256);
      const out = new Uint8Array(at + len + (b.length - at));
      out.set(b.subarray(0, at));
      out.set(other.subarray(from, from + len), at);
      out.set(b.subarray(at), at + len);
      return {
        name: "splice",
        bytes: out.subarray(0, at + Math.min(len, other.length - from) + (b.length - at)),
      };
    }
    case 9: {
      const junk = rng.bytes(rng.range(1, 512));
      const out = new Uint8Array(b.length + junk.length);
      out.set(b);
      out.set(junk, b.length);
      b = out;
      return { name: "append", bytes: b };
    }
  }
  const r = rng.bytes(rng.range(0, 2048));
  // Half the random inputs keep a valid ELF identity so the reader gets past the magic.
  if (rng.chance(0.5) && r.length >= 64) r.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  return { name: "random", bytes: r };
}
