// The kernel's half of `tsbpf run --kernel`: the same object loaded with
// bpftool (so the verifier has its say), each packet run through
// BPF_PROG_TEST_RUN, the pins removed afterwards. Context fields given by
// name (as the interpreter takes them) are laid out as struct xdp_md or
// struct __sk_buff from the stdlib's context tables.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONTEXT_STRUCTS } from "../../stdlib/generated/data/contexts.js";
import {
  KernelError,
  detectKernel,
  loadWithBpftool,
  testRun,
  xdpMd,
} from "../../runtime/kernel/index.js";

export type CtxFields = Readonly<Record<string, number | bigint>>;

export interface KernelInput {
  packet: Uint8Array;
  ctx?: CtxFields;
}

export interface KernelOutput {
  retval: number;
  packet: Uint8Array;
}

export type KernelRunResult =
  { ok: true; results: (KernelOutput | { error: string })[] } | { ok: false; reason: string };

/** Runs `program` of `object` on each input in the kernel, or says why it could not. */
export async function runInKernel(
  object: Uint8Array,
  program: string,
  struct: "xdp_md" | "__sk_buff",
  inputs: readonly KernelInput[],
): Promise<KernelRunResult> {
  const k = detectKernel();
  if (!k.available) return { ok: false, reason: `kernel not available: ${k.reason}` };
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-run-"));
  try {
    const path = join(dir, "prog.o");
    writeFileSync(path, object);
    let handle;
    try {
      handle = await loadWithBpftool(path, { programName: program });
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      return { ok: false, reason: `the kernel refused the object: ${lastLines(e)}` };
    }
    try {
      const results: (KernelOutput | { error: string })[] = [];
      for (const input of inputs) {
        try {
          const ctx = input.ctx ? ctxBytes(struct, input.ctx, input.packet.length) : undefined;
          const r = await testRun(handle, { data: input.packet, ...(ctx ? { ctx } : {}) });
          results.push({ retval: r.retval, packet: r.dataOut });
        } catch (e) {
          if (!(e instanceof KernelError)) throw e;
          results.push({ error: lastLines(e) });
        }
      }
      return { ok: true, results };
    } finally {
      handle.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The useful end of a bpftool failure: its last few lines of output. */
function lastLines(e: KernelError): string {
  const text = (e.stderr || e.message).trim().split("\n");
  const tail = text.slice(-3).join(" / ");
  return tail.length > 0 ? tail : e.message;
}

/** ctx_in bytes for the named fields (unknown names are a user error, reported by the caller). */
export function ctxBytes(
  struct: "xdp_md" | "__sk_buff",
  fields: CtxFields,
  packetLength: number,
): Uint8Array {
  if (struct === "xdp_md") {
    const num = (n: string) => (fields[n] === undefined ? undefined : Number(fields[n]));
    const meta = num("data") ?? 0;
    return xdpMd({
      packetLength,
      metaLength: meta,
      ...(num("ingress_ifindex") !== undefined ? { ingressIfindex: num("ingress_ifindex")! } : {}),
      ...(num("rx_queue_index") !== undefined ? { rxQueueIndex: num("rx_queue_index")! } : {}),
    });
  }
  const spec = CONTEXT_STRUCTS[struct]!;
  const out = new Uint8Array(spec.size);
  const view = new DataView(out.buffer);
  for (const [name, v] of Object.entries(fields)) {
    const m = /^(\w+)\[(\d+)\]$/.exec(name);
    const field = spec.fields.find((f) => f.name === (m ? m[1] : name));
    if (!field) throw new KernelError(`__sk_buff has no field '${name}'`);
    const offset = field.offset + (m ? Number(m[2]) * 4 : 0);
    const size = m ? 4 : field.size;
    if (size === 8) view.setBigUint64(offset, BigInt.asUintN(64, BigInt(v)), true);
    else if (size === 4) view.setUint32(offset, Number(BigInt.asUintN(32, BigInt(v))), true);
  }
  return out;
}

/** Which context struct a section's programs receive. */
export function contextStructOf(section: string): "xdp_md" | "__sk_buff" {
  return section.startsWith("xdp") ? "xdp_md" : "__sk_buff";
}
