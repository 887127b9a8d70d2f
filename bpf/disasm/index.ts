// The disassembler: instructions -> the text llvm-objdump-19 -d prints.
export * from "./syntax.js";
export * from "./format.js";
export * from "./disassemble.js";
