// The loader's one error type: everything wrong with an object (not ELF, bad
// BTF, unknown section, map or kfunc, a map the kernel would refuse) becomes
// a LoadError whose message names the thing, with the original as cause.

export class LoadError extends Error {
  override readonly name = "LoadError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
