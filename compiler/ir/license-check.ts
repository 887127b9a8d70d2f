// The license rule the kernel applies at load time, applied at compile time:
// a program whose `license` is not GPL-compatible may not call a GPL-only
// helper (the probed `gplOnly` of the stdlib's helper table) or any kfunc
// (the kernel registers every kfunc set as GPL-only). The check runs on the
// IR of every program and reachable subprogram, so helpers reached through
// friendly forms (bpf_printk, PerfEventArray.output) are covered too.

import type { SourcePos } from "../../bpf/isa/index.js";
import { type DiagnosticBag, diagnosticAtPosition } from "../diagnostics/diagnostic.js";
import { HELPERS } from "../../stdlib/generated/data/helpers.js";
import type { IrFunction } from "./ir.js";
import type { IrModule } from "./lower-module.js";

/** The kernel's license_is_gpl_compatible() list (exact strings). */
const GPL_COMPATIBLE = new Set([
  "GPL",
  "GPL v2",
  "GPL and additional rights",
  "Dual BSD/GPL",
  "Dual MIT/GPL",
  "Dual MPL/GPL",
]);

const GPL_HELPERS = new Map(HELPERS.filter((h) => h.gplOnly === true).map((h) => [h.id, h.name]));

export function isGplCompatible(license: string): boolean {
  return GPL_COMPATIBLE.has(license);
}

export function checkLicense(mod: IrModule, diags: DiagnosticBag): void {
  if (isGplCompatible(mod.license)) return;
  const fns: IrFunction[] = [...mod.programs.map((p) => p.fn), ...mod.functions];
  for (const fn of fns)
    for (const b of fn.blocks)
      for (const i of b.insns) {
        const what =
          i.op === "call" && GPL_HELPERS.has(i.helper)
            ? `the helper '${GPL_HELPERS.get(i.helper)}'`
            : i.op === "callkfunc"
              ? `the kfunc '${i.fn}'`
              : undefined;
        if (what && i.source) report(diags, i.source, what, mod.license);
      }
}

function report(diags: DiagnosticBag, at: SourcePos, what: string, license: string): void {
  diags.add(diagnosticAtPosition("TSB3011", at, [what, license]));
}
