// Stack bytes per function, as the verifier sees them, from the text of
// `llvm-objdump-19 -d --no-show-raw-insn`: the deepest byte below r10 that
// the code reaches, either directly (`*(u32 *)(r10 - 0x8) = r1`) or through
// an address formed as `rX = r10; rX += -0x10` and passed on (the object
// then starts there). The same reading serves tsbpf's objects and clang's,
// so the two are compared like for like (scripts/stack-depth.ts,
// test/compiler/stack-slots.test.ts).

export const OBJDUMP_ARGS = ["-d", "--no-show-raw-insn"];

/** Deepest r10 offset per function symbol of an objdump listing. */
export function stackDepths(listing: string): Map<string, number> {
  const depths = new Map<string, number>();
  let fn = "";
  const framePtr = new Set<string>();
  for (const line of listing.split("\n")) {
    const sym = /^[0-9a-f]+ <([^>]+)>:/.exec(line);
    if (sym) {
      fn = sym[1]!;
      depths.set(fn, 0);
      framePtr.clear();
      continue;
    }
    const text = line.split("\t").slice(1).join(" ").trim();
    if (!fn || !text) continue;
    const deepen = (bytes: number) => depths.set(fn, Math.max(depths.get(fn)!, bytes));
    for (const m of text.matchAll(/\(r10 - (0x[0-9a-f]+)\)/g)) deepen(Number(m[1]));
    const copy = /^(r\d) = r10$/.exec(text);
    const add = /^(r\d) \+= -(0x[0-9a-f]+)$/.exec(text);
    if (copy) framePtr.add(copy[1]!);
    else if (add && framePtr.has(add[1]!)) {
      deepen(Number(add[2]));
      framePtr.delete(add[1]!);
    } else {
      const dst = /^(r\d) /.exec(text);
      if (dst) framePtr.delete(dst[1]!);
    }
  }
  return depths;
}
