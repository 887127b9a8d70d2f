// The ELF layer for BPF relocatable objects: `readObject` (bytes -> programs,
// maps, globals, BTF) and `writeObject` (ObjectSpec -> bytes), plus the raw
// ELF reader/writer beneath them. Errors are always ElfError.
export * from "./constants.js";
export * from "./reader.js";
export * from "./programs.js";
export * from "./object-reader.js";
export * from "./writer.js";
export * from "./object-spec.js";
export * from "./object-writer.js";
