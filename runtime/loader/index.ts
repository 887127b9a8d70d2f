// The loader: BPF object bytes -> maps, a linked code image and a VM. See
// load.ts for the steps, link.ts for relocations, maps.ts for map creation.

export { LoadError } from "./errors.js";
export {
  loadBpfObject,
  readBytes,
  sectionType,
  type LoadedObject,
  type LoadedProgram,
  type LoadOptions,
} from "./load.js";
export { ObjectMaps } from "./maps.js";
export { linkObject, type LinkedImage } from "./link.js";
