// The kernel oracle harness: load objects with bpftool and ip, run them with
// BPF_PROG_TEST_RUN, read and write their maps, and build throwaway network
// namespaces and veth pairs for end-to-end traffic. See KERNEL.md.

export { KernelError } from "./errors.js";
export { run, runSync, type RunOptions, type RunResult } from "./exec.js";
export { detectKernel, type KernelAvailability } from "./detect.js";
export { sweepStale, releaseAll, uniqueName, type SweepReport } from "./resources.js";
export {
  loadWithBpftool,
  showPinnedProgram,
  type BpftoolLoadHandle,
  type BpftoolLoadOptions,
  type PinnedProgram,
  type ProgramType,
} from "./bpftool-load.js";
export {
  testRun,
  ethernetFrame,
  lwtPacketOut,
  xdpMd,
  type ProgramRef,
  type TestRunInput,
  type TestRunResult,
} from "./test-run.js";
export {
  programMaps,
  mapInfo,
  dumpMap,
  lookupMap,
  updateMap,
  deleteMapKey,
  type MapEntry,
  type MapInfo,
  type UpdateFlag,
} from "./maps.js";
export { createNetns, netnsExists, type Netns } from "./netns.js";
export {
  loadWithIp,
  xdpProgId,
  type IpHook,
  type IpLoadHandle,
  type IpLoadOptions,
  type XdpMode,
} from "./ip-load.js";
export {
  createVethTopology,
  parsePing,
  type PingResult,
  type Side,
  type VethOptions,
  type VethTopology,
} from "./veth.js";
export {
  BTF_IGNORED_MARKER,
  logSaysBtfIgnored,
  processedInsns,
  processedInsnsByProgram,
} from "./verifier-log.js";
