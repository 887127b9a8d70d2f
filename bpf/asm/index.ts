// The assembler: llvm-objdump syntax (or plain assembly with labels) -> Instruction[] and bytes.
export { AsmError } from "./errors.js";
export { assemble, assembleSections, type AssembleResult, type AsmSection } from "./assemble.js";
