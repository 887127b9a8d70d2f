// Test-only: runs the real llvm-objdump-19 on given raw instruction bytes, so
// tests compare our text with LLVM's and not with themselves. The bytes go
// into an object through llvm-mc-19 (`.byte` lines in an executable section
// named `xdp`, symbol `prog` at 0), then `llvm-objdump-19 -d` prints them.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function has(tool: string): boolean {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export const LLVM_MC = "llvm-mc-19";
export const LLVM_OBJDUMP = "llvm-objdump-19";
export const haveLlvm = has(LLVM_MC) && has(LLVM_OBJDUMP);
if (!haveLlvm)
  console.log(`SKIPPED: ${LLVM_MC} or ${LLVM_OBJDUMP} not found; LLVM comparisons skipped`);

/** `llvm-objdump-19 -d <flags>` of an object whose section `xdp` holds `bytes`. */
export function objdumpBytes(bytes: Uint8Array, flags: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-isa-"));
  try {
    const lines = ['.section xdp,"ax",@progbits', ".globl prog", "prog:"];
    for (let i = 0; i < bytes.length; i += 16) {
      lines.push(
        `.byte ${Array.from(bytes.subarray(i, i + 16), (b) => `0x${b.toString(16)}`).join(",")}`,
      );
    }
    writeFileSync(join(dir, "a.s"), lines.join("\n") + "\n");
    execFileSync(LLVM_MC, ["-triple", "bpfel", "-filetype=obj", "a.s", "-o", "a.o"], { cwd: dir });
    return execFileSync(LLVM_OBJDUMP, ["-d", ...flags, "a.o"], {
      cwd: dir,
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `llvm-objdump-19 -d <flags> file`, run in the file's directory so the name line is bare. */
export function objdumpFile(dir: string, file: string, flags: string[] = []): string {
  return execFileSync(LLVM_OBJDUMP, ["-d", ...flags, file], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
}
