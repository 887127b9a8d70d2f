// BPF streams (kernel/bpf/stream.c): bpf_stream_vprintk_impl formats like
// bpf_snprintf and appends the text to the program's stdout (1) or stderr
// (2) stream, which user space drains with BPF_PROG_STREAM_READ_BY_FD. The
// runtime keeps each run's streams and the run result carries them
// (RunOutput.streams). Returns 0, -ENOENT for another stream id, -EINVAL
// for a bad argument array, -ENOSPC past the stream's 100,000-byte capacity.
// The seeds name it bpf_stream_vprintk (its upstream name); 6.18 kernels
// call it bpf_stream_vprintk_impl (a trailing aux__prog the verifier sets).
//
// On the reference kernel (6.18, test_run) every successful format returned
// -ENOMEM (the stream's element allocation fails in that context): the
// runtime gives 0, what the kernel documents; test/helpers compare the
// error paths only.

import type { HelperImpl, RunEnv } from "../env.js";
import { MAX_BPRINTF_VARARGS, bprintf } from "./format.js";
import { E, cString, dv, neg, readMem, runState, u32 } from "./support.js";
import { VmError } from "../vm/types.js";

export const BPF_STDOUT = 1;
export const BPF_STDERR = 2;
const MAX_CAPACITY = 100_000;
/** MAX_BPRINTF_BUF: one print is cut at 1023 characters. */
const MAX_BPRINTF_BUF = 1024;

export interface Streams {
  stdout: string;
  stderr: string;
}

const streams = new WeakMap<RunEnv, Streams>();

/** The streams of a run that printed, else undefined (nothing is made for a run that did not). */
export function printedStreams(env: RunEnv): Streams | undefined {
  return streams.get(env);
}

/** The streams a run wrote (empty strings when it printed nothing). */
export function runStreams(env: RunEnv): Streams {
  return runState(streams, env, noStreams);
}

const noStreams = (): Streams => ({ stdout: "", stderr: "" });

const vprintk: HelperImpl = (env, streamId, fmtPtr, args, len) => {
  const id = u32(streamId);
  if (id !== BPF_STDOUT && id !== BPF_STDERR) return neg(E.ENOENT);
  const n = u32(len);
  if (n % 8 || n > MAX_BPRINTF_VARARGS * 8 || (n && args === 0n)) return neg(E.EINVAL);
  const fmt = cString(env, fmtPtr, 1 << 16);
  if (fmt === undefined) {
    throw new VmError("helper", "bpf_stream_vprintk: fmt is not a constant string");
  }
  const b = readMem(env, args, n);
  const values = Array.from({ length: n / 8 }, (_, i) => dv(b).getBigUint64(8 * i, true));
  const r = bprintf(env, fmt, values);
  if (!r.ok) return neg(r.errno);
  const text = r.text.slice(0, MAX_BPRINTF_BUF - 1);
  const s = runStreams(env);
  const key = id === BPF_STDOUT ? "stdout" : "stderr";
  if (s[key].length + text.length > MAX_CAPACITY) return neg(E.ENOSPC);
  s[key] += text;
  return 0n;
};

export const streamKfuncs = {
  bpf_stream_vprintk: vprintk,
  bpf_stream_vprintk_impl: vprintk,
};
