// Reading the text that `bpftool -d` (libbpf debug output plus each
// program's verifier log) and `ip` print at load time: how many instructions
// the verifier processed per program, and whether libbpf silently dropped the
// object's BTF ("BTF is optional, ignoring"), which callers must treat as failure.

export const BTF_IGNORED_MARKER = "BTF is optional, ignoring";

/** True when libbpf refused the object's BTF and carried on without it. */
export function logSaysBtfIgnored(log: string): boolean {
  return log.includes(BTF_IGNORED_MARKER);
}

/**
 * The verifier's "processed N insns" for each program, keyed by program name.
 * libbpf brackets each log with `prog 'NAME': -- BEGIN PROG LOAD LOG --` and
 * `-- END PROG LOAD LOG --`; a log without those brackets (a bare verifier
 * log) is returned under the key "".
 */
export function processedInsnsByProgram(log: string): Map<string, number> {
  const out = new Map<string, number>();
  const begin = /prog '([^']+)': -- BEGIN PROG LOAD LOG --/g;
  const marks = [...log.matchAll(begin)];
  if (marks.length === 0) {
    const n = processedInsns(log);
    if (n !== undefined) out.set("", n);
    return out;
  }
  for (const m of marks) {
    const start = m.index + m[0].length;
    const end = log.indexOf("-- END PROG LOAD LOG --", start);
    const n = processedInsns(log.slice(start, end < 0 ? undefined : end));
    if (n !== undefined) out.set(m[1]!, n);
  }
  return out;
}

/** The last "processed N insns" in a verifier log, if any. */
export function processedInsns(log: string): number | undefined {
  const all = [...log.matchAll(/processed (\d+) insns/g)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : undefined;
}
