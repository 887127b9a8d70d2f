// A context struct (xdp_md, __sk_buff) as a VM region whose loads and
// stores are checked and translated field by field, the interpreter's
// version of the kernel's convert_ctx_access: only the fields the program
// type's access table allows, only the sizes the kernel's is_valid_access
// accepts (xdp_md: aligned u32 only; __sk_buff: narrow aligned reads, u32
// writes, any size inside cb[], u64 for tstamp/hwtstamp/sk, u32 for packet
// pointers), else a fault naming the field. Packet pointers and len are
// computed from the packet; everything else lives in the region's bytes.

import { CONTEXT_STRUCTS, type ContextField } from "../../stdlib/generated/data/contexts.js";
import type { Context } from "../env.js";
import { WORD_BYTES, WORD_HOOK, WORD_VALUE, type Memory, type Region } from "../vm/memory.js";
import { VmError } from "../vm/types.js";

export type Access = Readonly<Record<string, "r" | "rw">>;

export interface StructSpec {
  /** "xdp_md" or "__sk_buff". */
  struct: string;
  /** Field name -> access, from CONTEXTS (absent: no access). */
  access: Access;
  /** What the program is, for messages ("xdp", "lwt_xmit"). */
  progType: string;
  /** Fields whose value is computed at each read (packet pointers, len). */
  computed: Readonly<Record<string, () => bigint>>;
  /**
   * The same values as 32-bit halves (low, high), each a small number: what
   * refresh() caches for the VM after every change of packet geometry
   * without a BigInt or a heap number (fields left out here are computed
   * through `computed`).
   */
  computedHalves?: Readonly<Record<string, readonly [() => number, () => number]>>;
  /** Fields that load a pointer: only full 4-byte loads (8 for sk). */
  pointers: ReadonlySet<string>;
}

const U64_FIELDS = new Set(["tstamp", "hwtstamp", "sk"]);

interface Located {
  field: ContextField;
  offset: number;
  size: number;
}

/**
 * The word kinds of RegionAccess.words for an access table and struct (the
 * same for every run of a program type; check() is costly when it refuses).
 * The computed fields are the same set for every run of a struct.
 */
const WORD_KINDS = new WeakMap<Access, Map<string, Int32Array>>();

/** struct -> name -> where get()/set() find it (the same for every run of a struct). */
const LOCATED = new Map<string, Map<string, Located>>();

export class ContextStruct implements Context {
  readonly struct: string;
  /** The context's region; the same object from run to run when the context is reused. */
  region: Region;
  private readonly fields: readonly ContextField[];
  /** RegionAccess.words: the answers of aligned u32 loads, so the VM skips the hook for them. */
  private readonly words: Int32Array;
  /** Indexes into `words` of the computed words (WORD_VALUE) and how to compute each as a number. */
  private valueWords: number[] = [];
  private valueFns: (readonly [() => number, () => number] | undefined)[] = [];
  /** The region's DataView, kept for reinstate(). */
  private view: DataView | undefined;
  private readonly located: Map<string, Located>;

  constructor(
    private readonly mem: Memory,
    private readonly spec: StructSpec,
  ) {
    const def = CONTEXT_STRUCTS[spec.struct];
    if (!def) throw new Error(`no context struct ${spec.struct} in the tables`);
    this.struct = spec.struct;
    this.fields = def.fields;
    let located = LOCATED.get(spec.struct);
    if (located === undefined) LOCATED.set(spec.struct, (located = new Map()));
    this.located = located;
    this.words = new Int32Array(Math.ceil(def.size / 4) * 3);
    this.region = mem.addRegion("context", new Uint8Array(def.size), {
      name: `ctx (struct ${spec.struct})`,
      access: {
        load: (offset, size) => this.load(offset, size),
        store: (offset, size, value) => this.store(offset, size, value),
        words: this.words,
      },
    });
    this.fillWords();
  }

  /**
   * Start a new run with this context (runtime/context/reuse.ts): the
   * region, which release() dropped, registered again (at its old slot when
   * it is free), every field zero and the computed words refreshed.
   */
  reuse(): void {
    const bytes = this.region.bytes;
    bytes.fill(0);
    this.view ??= new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!this.mem.reinstate(this.region, bytes, this.view)) {
      this.region = this.mem.addRegion("context", bytes, {
        name: this.region.name,
        ...(this.region.access ? { access: this.region.access } : {}),
      });
    }
    this.fillWords();
  }

  /**
   * Which aligned u32 loads skip the hook: those check() allows, answered
   * from the region's bytes (plain fields: stores and set() write there) or
   * from a cached value (computed fields, see refresh()).
   */
  private fillWords(): void {
    let byStruct = WORD_KINDS.get(this.spec.access);
    if (byStruct === undefined) WORD_KINDS.set(this.spec.access, (byStruct = new Map()));
    let kinds = byStruct.get(this.struct);
    if (kinds === undefined) {
      kinds = new Int32Array(this.words.length);
      for (let at = 0; at < kinds.length; at += 3) {
        let kind = WORD_HOOK;
        try {
          const f = this.check((at / 3) * 4, 4, false);
          kind = this.spec.computed[f.name] ? WORD_VALUE : WORD_BYTES;
        } catch {
          // refused: the hook raises the fault
        }
        kinds[at] = kind;
      }
      byStruct.set(this.struct, kinds);
    }
    this.words.set(kinds);
    if (this.valueFns.length === 0) {
      for (let at = 0; at < kinds.length; at += 3) {
        if (kinds[at] !== WORD_VALUE) continue;
        this.valueWords.push(at);
        const f = this.fieldAt((at / 3) * 4);
        this.valueFns.push(f && f.offset === (at / 3) * 4 ? this.spec.computedHalves?.[f.name] : undefined); // prettier-ignore
      }
    }
    this.refresh();
  }

  /** Recompute the cached computed fields (packet pointers, len): call when the packet changes. */
  refresh(): void {
    const words = this.words;
    const at = this.valueWords;
    const fns = this.valueFns;
    for (let k = 0; k < at.length; k++) {
      const w = at[k]!;
      const fn = fns[k];
      if (fn !== undefined) {
        words[w + 1] = fn[0]() | 0;
        words[w + 2] = fn[1]() | 0;
        continue;
      }
      const v = this.load((w / 3) * 4, 4);
      words[w + 1] = Number(v & 0xffffffffn) | 0;
      words[w + 2] = Number((v >> 32n) & 0xffffffffn) | 0;
    }
  }

  get(name: string): bigint {
    const { field, offset, size } = this.locate(name);
    const computed = this.spec.computed[field.name];
    if (computed) return computed();
    return this.readBytes(offset, size);
  }

  set(name: string, value: bigint): void {
    const { offset, size } = this.locate(name);
    this.writeBytes(offset, size, value);
  }

  private locate(name: string): Located {
    let at = this.located.get(name);
    if (at === undefined) {
      at = this.find(name);
      this.located.set(name, at);
    }
    return at;
  }

  private find(name: string): Located {
    const m = /^(\w+)(?:\[(\d+)\])?$/.exec(name);
    const field = m && this.fields.find((f) => f.name === m[1]);
    if (!m || !field) throw new Error(`struct ${this.struct} has no field ${name}`);
    if (m[2] === undefined) return { field, offset: field.offset, size: field.size };
    const elem = field.type.startsWith("u64") ? 8 : 4;
    const i = Number(m[2]);
    if (i * elem >= field.size) throw new Error(`${name} is past the end of ${field.name}`);
    return { field, offset: field.offset + i * elem, size: elem };
  }

  private fieldAt(offset: number): ContextField | undefined {
    return this.fields.find((f) => offset >= f.offset && offset < f.offset + f.size);
  }

  private refuse(what: string, offset: number, size: number, why: string): never {
    throw new VmError(
      "memory",
      `${what} of ${size} bytes at ctx+${offset}: ${why} in ${this.spec.progType} programs`,
      this.region,
    );
  }

  /** Checks an access the way the kernel's is_valid_access does; returns the field. */
  private check(offset: number, size: number, write: boolean): ContextField {
    const what = write ? "write" : "read";
    const f = this.fieldAt(offset);
    if (!f) return this.refuse(what, offset, size, `no __sk_buff/xdp_md field there`);
    const label = `field ${f.name}`;
    const allowed = this.spec.access[f.name];
    if (!allowed) this.refuse(what, offset, size, `${label} is not accessible`);
    if (write && allowed !== "rw") this.refuse(what, offset, size, `${label} is read-only`);
    if (offset % size !== 0) this.refuse(what, offset, size, `${label}: misaligned access`);
    if (offset + size > f.offset + f.size) this.refuse(what, offset, size, `${label}: too wide`);
    const isArray = f.type.includes("[");
    if (this.spec.struct === "xdp_md") {
      if (size !== 4) this.refuse(what, offset, size, `${label} only takes 4-byte accesses`);
    } else if (this.spec.pointers.has(f.name) || U64_FIELDS.has(f.name)) {
      if (size !== f.size)
        this.refuse(what, offset, size, `${label} only takes ${f.size}-byte accesses`);
    } else if (f.name === "cb") {
      // any size inside cb[]
    } else if (write && size !== 4) {
      this.refuse(what, offset, size, `${label} is only written as a u32`);
    } else if (
      isArray &&
      Math.floor((offset - f.offset) / 4) !== Math.floor((offset + size - 1 - f.offset) / 4)
    ) {
      this.refuse(what, offset, size, `${label}: access spans two elements`);
    }
    return f;
  }

  private load(offset: number, size: 1 | 2 | 4 | 8): bigint {
    const f = this.check(offset, size, false);
    const computed = this.spec.computed[f.name];
    if (computed === undefined) return this.readBytes(offset, size);
    const v = computed();
    if (this.spec.pointers.has(f.name)) return v;
    // A narrow read of a computed u32: the bytes of its little-endian value.
    return (v >> BigInt(8 * (offset - f.offset))) & ((1n << BigInt(8 * size)) - 1n);
  }

  private store(offset: number, size: 1 | 2 | 4 | 8, value: bigint): boolean {
    this.check(offset, size, true);
    this.writeBytes(offset, size, value);
    return true;
  }

  private readBytes(offset: number, size: number): bigint {
    let v = 0n;
    for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(this.region.bytes[offset + k]!);
    return v;
  }

  private writeBytes(offset: number, size: number, value: bigint): void {
    for (let k = 0; k < size; k++) {
      this.region.bytes[offset + k] = Number((value >> BigInt(8 * k)) & 0xffn);
    }
  }
}
