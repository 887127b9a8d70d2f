/// <reference no-default-lib="true"/>
/// <reference path="./lib.d.ts" />
// The "tsbpf" module users import: `import { xdp, XdpAction, HashMap } from "tsbpf"`.
// Hand-written API (maps, declarators, intrinsics, packet access) plus the table-generated
// declarations (every helper and kfunc, contexts, constants, protocol headers).
export * from "./maps.js";
export * from "./packet.js";
export * from "./programs.js";
export * from "./generated/types/contexts.js";
export * from "./generated/types/constants.js";
export * from "./generated/types/headers.js";
export * from "./generated/types/helpers.js";
export * from "./generated/types/kfuncs.js";
