// Checks the clang-19 reference fixtures in test/fixtures/clang: every C
// source has its committed object and text outputs; rebuilding them with
// scripts/build-clang-fixtures.sh gives identical bytes (when clang-19 is
// installed); every object passes the kernel verifier through bpftool, and
// the XDP / LWT ones load through iproute2 (when root, bpftool and ip exist).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = join(root, "test", "fixtures", "clang");
const script = join(root, "scripts", "build-clang-fixtures.sh");

/** Program type per fixture: [bpftool `type`, ip hook or null, section]. */
const programs: Record<string, { type: string; ip: "xdp" | "lwt_xmit" | null; sec: string }> = {
  atomics: { type: "xdp", ip: "xdp", sec: "xdp" },
  calls: { type: "xdp", ip: "xdp", sec: "xdp" },
  endian: { type: "xdp", ip: "xdp", sec: "xdp" },
  globals: { type: "lwt_xmit", ip: "lwt_xmit", sec: "lwt_xmit" },
  gotol: { type: "xdp", ip: "xdp", sec: "xdp" },
  kfunc: { type: "xdp", ip: "xdp", sec: "xdp" },
  loops: { type: "classifier", ip: null, sec: "tc" },
  maps: { type: "xdp", ip: "xdp", sec: "xdp" },
  redirect: { type: "xdp", ip: "xdp", sec: "xdp" },
  socket_ld: { type: "socket", ip: null, sec: "socket" },
  v4_alu: { type: "xdp", ip: "xdp", sec: "xdp" },
  xdp_basic: { type: "xdp", ip: "xdp", sec: "xdp" },
};

const outputs = [
  ".o",
  ".objdump.txt",
  ".objdump-noraw.txt",
  ".objdump-v4.txt",
  ".readelf.txt",
  ".btf.txt",
];

const sources = readdirSync(dir)
  .filter((f) => f.endsWith(".c"))
  .map((f) => f.slice(0, -2))
  .sort();

function has(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasClang = has("clang-19") && has("llvm-objdump-19") && has("llvm-readelf-19");
const hasBpftool = has("bpftool");
const hasIp = has("ip");
const bpffs = existsSync("/sys/fs/bpf");
const kernelReason = !isRoot
  ? "not root"
  : !hasBpftool
    ? "bpftool not installed"
    : !bpffs
      ? "/sys/fs/bpf missing"
      : null;

if (!hasClang) console.log("SKIPPED: clang-19 not installed (rebuild check)");
if (kernelReason) console.log(`SKIPPED: ${kernelReason} (verifier load checks)`);
if (!kernelReason && !hasIp) console.log("SKIPPED: ip not installed (iproute2 load checks)");

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

describe("clang fixtures", () => {
  it("has the expected set of sources", () => {
    expect(sources).toEqual(Object.keys(programs).sort());
  });

  it("commits every object and text output", () => {
    for (const x of sources)
      for (const ext of outputs) expect(existsSync(join(dir, x + ext)), x + ext).toBe(true);
    expect(existsSync(join(dir, "README.md"))).toBe(true);
    expect(existsSync(join(dir, "insn-coverage.md"))).toBe(true);
  });

  it("objects are little-endian ELF64 EM_BPF relocatable files", () => {
    for (const x of sources) {
      const b = readFileSync(join(dir, x + ".o"));
      expect(b.subarray(0, 7).toString("hex"), x).toBe("7f454c46020101");
      expect(b.readUInt16LE(16), x).toBe(1); // ET_REL
      expect(b.readUInt16LE(18), x).toBe(247); // EM_BPF
    }
  });

  it.skipIf(!hasClang)(
    "rebuilds byte-identically with clang-19",
    () => {
      const out = mkdtempSync(join(tmpdir(), "tsbpf-clang-fixtures-"));
      temps.push(out);
      execFileSync("bash", [script, out], { stdio: "pipe" });
      for (const x of sources)
        for (const ext of outputs) {
          if (ext === ".btf.txt" && !hasBpftool) continue;
          const a = readFileSync(join(dir, x + ext));
          const b = readFileSync(join(out, x + ext));
          expect(a.equals(b), `${x}${ext} differs from a fresh build`).toBe(true);
        }
    },
    120_000,
  );

  describe.skipIf(kernelReason !== null)("kernel verifier (bpftool prog loadall)", () => {
    for (const x of Object.keys(programs)) {
      it(`${x} loads as ${programs[x]!.type}`, () => {
        const pin = `/sys/fs/bpf/tsbpf-fixture-${process.pid}-${x}`;
        try {
          const r = spawnSync(
            "bpftool",
            ["-d", "prog", "loadall", join(dir, x + ".o"), pin, "type", programs[x]!.type],
            { encoding: "utf8", maxBuffer: 1 << 30 },
          );
          const log = `${r.stdout}${r.stderr}`;
          expect(r.status, log.slice(-2000)).toBe(0);
          // libbpf drops bad BTF quietly; that must not happen to these objects.
          expect(log).not.toContain("BTF is optional");
          expect(readdirSync(pin).length).toBeGreaterThan(0);
        } finally {
          rmSync(pin, { recursive: true, force: true });
        }
      });
    }
  });

  describe.skipIf(kernelReason !== null || !hasIp)(
    "iproute2 (ip link xdp / encap bpf xmit)",
    () => {
      const ns = `tsbpf-fx-${process.pid}`;
      let made = false;
      const ipn = (...args: string[]): string =>
        execFileSync("ip", ["-n", ns, ...args], { encoding: "utf8", stdio: "pipe" });
      afterAll(() => {
        if (made) execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
      });
      for (const x of Object.keys(programs).filter((k) => programs[k]!.ip !== null)) {
        const p = programs[x]!;
        it(`${x} loads with ip (${p.ip})`, () => {
          if (!made) {
            execFileSync("ip", ["netns", "add", ns], { stdio: "pipe" });
            made = true;
            ipn("link", "set", "lo", "up");
          }
          const obj = join(dir, x + ".o");
          if (p.ip === "xdp") {
            try {
              ipn("link", "set", "dev", "lo", "xdp", "obj", obj, "sec", p.sec);
              expect(ipn("link", "show", "lo")).toMatch(/prog\/xdp id \d+/);
            } finally {
              ipn("link", "set", "dev", "lo", "xdp", "off");
            }
          } else {
            try {
              ipn(
                "route",
                "add",
                "192.0.2.1/32",
                "encap",
                "bpf",
                "xmit",
                "obj",
                obj,
                "section",
                p.sec,
                "dev",
                "lo",
              );
              expect(ipn("route", "show")).toContain("encap bpf xmit");
            } finally {
              execFileSync("ip", ["-n", ns, "route", "del", "192.0.2.1/32"], { stdio: "ignore" });
            }
          }
        });
      }
    },
  );
});
