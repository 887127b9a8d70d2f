// The bundled runtime: load BPF objects and run their programs with the
// kernel's semantics (api.ts), plus the pieces other code builds on: the
// per-run environment helpers receive (env.ts), the loader and the contexts.

export {
  loadObject,
  seededRandom,
  type LoadObjectOptions,
  type MapHandle,
  type ProgramHandle,
  type TsbpfObject,
  type Key,
  type RunInput,
  type RunOutput,
} from "./api.js";
export type {
  RunEnv,
  HelperImpl,
  HelperRegistry,
  ProgType,
  Packet,
  Context,
  MapRegistry,
  RedirectRecord,
  Clock,
  Random,
} from "./env.js";
export { LoadError } from "./loader/index.js";
