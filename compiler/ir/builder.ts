// Incremental construction of an IrFunction: a current block that
// instructions append to, fresh vregs and blocks, and terminators that close
// the current block (code after a `return` lands in a fresh block that
// nothing jumps to, and dead-code removal drops it).

import type { SourcePos } from "../../bpf/isa/index.js";
import type { Block, IrFunction, IrInsn, Terminator, VReg } from "./ir.js";

export class FunctionBuilder {
  readonly fn: IrFunction;
  cur: Block;
  private nextBlock = 0;
  /** Source position stamped on everything emitted until changed. */
  pos: SourcePos | undefined;

  constructor(name: string) {
    const entry = this.makeBlock();
    this.fn = {
      name,
      params: [],
      blocks: [entry],
      entry,
      nextVreg: 0,
      frameSize: 0,
      stackObjects: [],
      pointers: new Set(),
    };
    this.cur = entry;
  }

  private makeBlock(): Block {
    return {
      id: this.nextBlock++,
      insns: [],
      term: { op: "ret", value: { kind: "imm", value: 0n } },
    };
  }

  newBlock(): Block {
    const b = this.makeBlock();
    this.fn.blocks.push(b);
    return b;
  }

  vreg(pointer = false): VReg {
    const v = this.fn.nextVreg++;
    if (pointer) this.fn.pointers.add(v);
    return v;
  }

  emit(i: IrInsn): void {
    if (this.pos && !i.source) i.source = this.pos;
    this.cur.insns.push(i);
  }

  /** Close the current block with `t` and continue in `next` (or a fresh, unreachable block). */
  terminate(t: Terminator, next?: Block): void {
    if (this.pos && !t.source) t.source = this.pos;
    this.cur.term = t;
    this.cur = next ?? this.newBlock();
  }

  jump(target: Block, next?: Block): void {
    this.terminate({ op: "jmp", target }, next);
  }

  /** Place `b` as the current block (the previous one must be terminated). */
  setBlock(b: Block): void {
    this.cur = b;
  }

  /** Reserve `size` bytes of stack, aligned; returns the (negative) offset from r10. */
  allocStack(size: number, align = 8): number {
    this.fn.frameSize = Math.ceil((this.fn.frameSize + size) / align) * align;
    this.fn.stackObjects.push({ off: -this.fn.frameSize, size });
    return -this.fn.frameSize;
  }
}
