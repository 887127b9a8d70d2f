// ELF fuzz target: readObject must return or throw ElfError; loadObject
// (the interpreter's loader) must return or throw LoadError/ElfError, a
// clear message. Anything else propagates to target-host as a crash.

import { ElfError, readObject } from "../../../bpf/elf/index.js";
import { LoadError, loadObject } from "../../../runtime/index.js";

function allowed(e: unknown, ...kinds: (abstract new (...a: never[]) => Error)[]): string {
  if (kinds.some((k) => e instanceof k)) return (e as Error).name;
  throw e;
}

export function elfTarget(input: Buffer | string): string {
  const bytes = typeof input === "string" ? Buffer.from(input) : new Uint8Array(input);
  let read: string;
  try {
    const obj = readObject(bytes);
    read = `read ${obj.programs.length} programs`;
  } catch (e) {
    read = `reader ${allowed(e, ElfError)}`;
  }
  let load: string;
  try {
    const obj = loadObject(bytes);
    load = `loaded ${obj.programs.length} programs`;
  } catch (e) {
    load = `loader ${allowed(e, LoadError, ElfError)}`;
  }
  return `${read}; ${load}`;
}
