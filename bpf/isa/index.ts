// The instruction model: enums, the Instruction type, encode/decode and the
// builder DSL. The compiler, ELF layer, disassembler and runtime import this.
export * from "./opcodes.js";
export * from "./instruction.js";
export * from "./codec.js";
export * from "./builder.js";
