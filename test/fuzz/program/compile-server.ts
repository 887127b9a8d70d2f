// The child process side of compile-client.ts: a long-lived compiler (the
// stdlib is parsed once per process, so a warm compile is cheap) answering
// {seq, text} with the object or the diagnostics. It runs beside the
// campaign's process, so compiling the next source uses the second CPU
// while the kernel and the interpreter work on the current one.

import { compile, formatDiagnostic } from "../../../compiler/index.js";
import type { CompileReply } from "./compile-client.js";

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

process.on("message", (m: { seq: number; text: string }) => {
  const t0 = performance.now();
  const c0 = cpuMs();
  let reply: CompileReply;
  try {
    const r = compile({ fileName: "gen.ts", text: m.text });
    reply = {
      seq: m.seq,
      object: r.object,
      diagnostics: r.diagnostics.map((d) => ({ code: d.code, text: formatDiagnostic(d) })),
      ms: performance.now() - t0,
      cpuMs: cpuMs() - c0,
    };
  } catch (e) {
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    const ms = performance.now() - t0;
    reply = { seq: m.seq, diagnostics: [], thrown: detail, ms, cpuMs: cpuMs() - c0 };
  }
  process.send!(reply);
});
// The campaign went away (killed, or crashed): nothing will ask again.
process.on("disconnect", () => process.exit(0));
process.send!({ ready: true });
