// The child process side of compile-client.ts: a long-lived compiler (the
// stdlib is parsed once per process, so a warm compile is cheap) answering
// {seq, text} with the object or the diagnostics. It runs beside the
// campaign's process, so compiling the next source uses the second CPU
// while the kernel and the interpreter work on the current one.

import { compile, formatDiagnostic } from "../../../compiler/index.js";
import type { CompileReply } from "./compile-client.js";

process.on("message", (m: { seq: number; text: string }) => {
  const t0 = performance.now();
  let reply: CompileReply;
  try {
    const r = compile({ fileName: "gen.ts", text: m.text });
    reply = {
      seq: m.seq,
      object: r.object,
      diagnostics: r.diagnostics.map((d) => ({ code: d.code, text: formatDiagnostic(d) })),
      ms: performance.now() - t0,
    };
  } catch (e) {
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
    reply = { seq: m.seq, diagnostics: [], thrown: detail, ms: performance.now() - t0 };
  }
  process.send!(reply);
});
process.send!({ ready: true });
