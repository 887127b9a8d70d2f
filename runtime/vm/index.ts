// The bundled BPF interpreter: createVm(), its memory regions and types.
export { Vm, createVm, setDefaultTier } from "./vm.js";
export { Memory, REGION_HI, CODE_HI, regionPtr, codePtr } from "./memory.js";
export type { Region, RegionKind, RegionOptions, RegionAccess } from "./memory.js";
export * from "./types.js";
