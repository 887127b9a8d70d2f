// The stdlib typings in plain tsc: LWT field access rules, every helper and kfunc callable
// with correct types, wrong argument types rejected with the expected codes, JS globals
// absent, and the manual's text on hover. Run: npx vitest run test/stdlib/typings.test.ts
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { HELPERS } from "../../stdlib/generated/data/helpers.js";
import { KFUNCS } from "../../stdlib/generated/data/kfuncs.js";
import { FIXTURES, ROOT, errorsOf, expectedOf, programFor } from "./tsc.js";

const lwt = join(FIXTURES, "lwt-access.ts");
const wrong = join(FIXTURES, "wrong-args.ts");
const all = join(FIXTURES, "all-calls.ts");
const program = programFor([lwt, wrong, all]);

describe("stdlib typings in plain tsc", () => {
  it("the stdlib itself has no errors (global and declaration diagnostics)", () => {
    const own = program
      .getSourceFiles()
      .filter((f) => f.fileName.startsWith(join(ROOT, "stdlib") + "/"))
      .flatMap((f) => program.getSemanticDiagnostics(f));
    expect(program.getGlobalDiagnostics()).toEqual([]);
    expect(own.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  });

  it("rejects writes to read-only LWT fields and reads of fields LWT may not read", () => {
    const expected = expectedOf(lwt);
    expect(expected).toContain("9:TS2540"); // skb.len = 0
    expect(expected).toContain("11:TS2339"); // skb.tc_classid
    expect(errorsOf(program, lwt).sort()).toEqual(expected.sort());
  });

  it("rejects wrong argument types with the expected errors, and only those", () => {
    const expected = expectedOf(wrong);
    expect(expected.length).toBeGreaterThanOrEqual(15);
    expect(errorsOf(program, wrong).sort()).toEqual(expected.sort());
  });

  it("type-checks one call of every helper and every kfunc", () => {
    const text = program.getSourceFile(all)!.text;
    for (const h of HELPERS) expect(text).toContain(`  ${h.name}(`);
    for (const k of KFUNCS) expect(text).toContain(`  ${k.name}(`);
    const calls = text.split("\n").filter((l) => /^ {2}(bpf_|__bpf|crash_)\w+\(/.test(l));
    expect(calls.length).toBe(HELPERS.reduce((n, h) => n + h.prototypes.length, 0) + KFUNCS.length);
    expect(errorsOf(program, all)).toEqual([]);
  });

  it("shows the manual's text when hovering a helper", () => {
    const checker = program.getTypeChecker();
    const sf = program.getSourceFile(wrong)!;
    const docOf = (name: string) => {
      const sym = checker.getSymbolsInScope(sf, ts.SymbolFlags.Alias).find((s) => s.name === name)!;
      const target = checker.getAliasedSymbol(sym);
      return ts.displayPartsToString(target.getDocumentationComment(checker));
    };
    expect(docOf("bpf_map_lookup_elem")).toContain("Perform a lookup in *map* for an entry");
    expect(docOf("bpf_xdp_adjust_head")).toContain("Adjust (move) *xdp_md*");
    expect(docOf("bpf_ktime_get_ns")).toContain("Helper id 5.");
  });
});
