// The BPF instruction set's field values as typed enums (RFC 9669 plus what
// Linux adds through cpu v4). Everything that builds, prints or runs
// instructions names fields through these enums, never through bare numbers.
//
// One 64-bit slot:
//   +--------+----+----+--------+----------------+
//   | opcode |dst |src | offset |   immediate    |
//   | 8 bits | 4  | 4  | 16 (s) |   32 (signed)  |
//   +--------+----+----+--------+----------------+
// opcode = class (low 3 bits) | the rest, whose meaning depends on the class:
//   ALU/ALU64/JMP/JMP32:  op (4 bits) | source (1 bit) | class (3 bits)
//   LD/LDX/ST/STX:        mode (3 bits) | size (2 bits) | class (3 bits)

export enum InsnClass {
  LD = 0x00,
  LDX = 0x01,
  ST = 0x02,
  STX = 0x03,
  ALU = 0x04,
  JMP = 0x05,
  JMP32 = 0x06,
  ALU64 = 0x07,
}

export enum Size {
  W = 0x00,
  H = 0x08,
  B = 0x10,
  DW = 0x18,
}

export enum Mode {
  IMM = 0x00,
  ABS = 0x20,
  IND = 0x40,
  MEM = 0x60,
  MEMSX = 0x80,
  ATOMIC = 0xc0,
}

/** The source bit of ALU and JMP opcodes: immediate (K) or register (X). */
export enum Source {
  K = 0x00,
  X = 0x08,
}

export enum AluOp {
  ADD = 0x00,
  SUB = 0x10,
  MUL = 0x20,
  DIV = 0x30,
  OR = 0x40,
  AND = 0x50,
  LSH = 0x60,
  RSH = 0x70,
  NEG = 0x80,
  MOD = 0x90,
  XOR = 0xa0,
  MOV = 0xb0,
  ARSH = 0xc0,
  END = 0xd0,
}

export enum JmpOp {
  JA = 0x00,
  JEQ = 0x10,
  JGT = 0x20,
  JGE = 0x30,
  JSET = 0x40,
  JNE = 0x50,
  JSGT = 0x60,
  JSGE = 0x70,
  CALL = 0x80,
  EXIT = 0x90,
  JLT = 0xa0,
  JLE = 0xb0,
  JSLT = 0xc0,
  JSLE = 0xd0,
  /** may_goto: src 0, a jump the verifier may take to bound loops. */
  JCOND = 0xe0,
}

/** The immediate of an atomic (mode ATOMIC) store. */
export enum AtomicOp {
  ADD = 0x00,
  OR = 0x40,
  AND = 0x50,
  XOR = 0xa0,
  FETCH_ADD = 0x01,
  FETCH_OR = 0x41,
  FETCH_AND = 0x51,
  FETCH_XOR = 0xa1,
  XCHG = 0xe1,
  CMPXCHG = 0xf1,
  /** load-acquire and store-release (Linux 6.15, cpu v4). */
  LOAD_ACQ = 0x100,
  STORE_REL = 0x110,
}

/** The FETCH flag inside AtomicOp values. */
export const ATOMIC_FETCH = 0x01;

export enum Reg {
  R0 = 0,
  R1 = 1,
  R2 = 2,
  R3 = 3,
  R4 = 4,
  R5 = 5,
  R6 = 6,
  R7 = 7,
  R8 = 8,
  R9 = 9,
  /** The read-only frame pointer. */
  R10 = 10,
}

/** What the src field of `lddw` says the 64-bit immediate is. */
export enum LdImm64Src {
  IMM = 0,
  MAP_FD = 1,
  MAP_VALUE = 2,
  BTF_ID = 3,
  FUNC = 4,
  MAP_IDX = 5,
  MAP_IDX_VALUE = 6,
}

/** What the src field of `call` says the callee is. */
export enum CallSrc {
  HELPER = 0,
  LOCAL = 1,
  KFUNC = 2,
}

/** The source bit of an END (byte swap) opcode in class ALU. */
export enum ByteOrder {
  TO_LE = 0x00,
  TO_BE = 0x08,
}

/** The offset field of ALU MOV / DIV / MOD that selects a v4 variant. */
export const SIGNED_DIVMOD_OFF = 1;
export const MOVSX_WIDTHS = [8, 16, 32] as const;
/** ALU64 MOV X with off 1 is the arena's addr_space_cast. */
export const ADDR_SPACE_CAST_OFF = 1;

export const CLASS_MASK = 0x07;
export const ALU_OP_MASK = 0xf0;
export const SOURCE_MASK = 0x08;
export const SIZE_MASK = 0x18;
export const MODE_MASK = 0xe0;

export function insnClass(opcode: number): InsnClass {
  return (opcode & CLASS_MASK) as InsnClass;
}
export function aluOp(opcode: number): AluOp {
  return (opcode & ALU_OP_MASK) as AluOp;
}
export function jmpOp(opcode: number): JmpOp {
  return (opcode & ALU_OP_MASK) as JmpOp;
}
export function source(opcode: number): Source {
  return (opcode & SOURCE_MASK) as Source;
}
export function size(opcode: number): Size {
  return (opcode & SIZE_MASK) as Size;
}
export function mode(opcode: number): Mode {
  return (opcode & MODE_MASK) as Mode;
}
export function sizeBytes(s: Size): 1 | 2 | 4 | 8 {
  switch (s) {
    case Size.B:
      return 1;
    case Size.H:
      return 2;
    case Size.W:
      return 4;
    case Size.DW:
      return 8;
  }
}
export function sizeFromBytes(bytes: number): Size {
  switch (bytes) {
    case 1:
      return Size.B;
    case 2:
      return Size.H;
    case 4:
      return Size.W;
    case 8:
      return Size.DW;
  }
  throw new RangeError(`no BPF access size of ${bytes} bytes`);
}
export function isAluClass(c: InsnClass): boolean {
  return c === InsnClass.ALU || c === InsnClass.ALU64;
}
export function isJmpClass(c: InsnClass): boolean {
  return c === InsnClass.JMP || c === InsnClass.JMP32;
}

/** The opcode of `lddw`, the only instruction that takes two slots. */
export const OP_LDDW = InsnClass.LD | Mode.IMM | Size.DW;
export const OP_CALL = InsnClass.JMP | JmpOp.CALL;
export const OP_CALLX = InsnClass.JMP | JmpOp.CALL | Source.X;
export const OP_EXIT = InsnClass.JMP | JmpOp.EXIT;
export const OP_JA = InsnClass.JMP | JmpOp.JA;
/** gotol: JA in class JMP32, with the offset in the 32-bit immediate. */
export const OP_GOTOL = InsnClass.JMP32 | JmpOp.JA;
