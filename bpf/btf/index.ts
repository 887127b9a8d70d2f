// BTF: the type model, builder, parser, `.BTF.ext`, map/kfunc shapes and a
// bpftool-style dumper. The ELF writer and reader build on this.
export * from "./types.js";
export * from "./strings.js";
export * from "./builder.js";
export * from "./parser.js";
export * from "./ext.js";
export * from "./resolve.js";
export * from "./shapes.js";
export * from "./dump.js";
