// Loads stdlib/tables/*.json (the single source of kernel facts) with their shapes, for the
// generator and its emitters.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface HelperParam {
  name: string;
  ctype: string;
  kind: string;
  sizeArg?: string;
  sizeOf?: string;
}
export interface Helper {
  id: number;
  name: string;
  progTypes: string[];
  kernelOffers: string[];
  gplOnly: boolean | null;
  prototypes: {
    signature: string;
    params: HelperParam[];
    ret: { ctype: string; kind: string; nullable: boolean };
  }[];
  description: string;
  returns: string;
}
export interface Kfunc {
  name: string;
  prototype: string;
  ret: { ctype: string; nullable: boolean };
  params: { name: string; ctype: string; kind: string; nullable: boolean }[];
  flags: string[];
  progTypes: string[];
  absentFromKernel?: string;
}
export interface Field {
  name: string;
  offset: number;
  size: number;
  type: string;
  doc: string;
}
export interface Contexts {
  structs: Record<string, { size: number; fields: Field[] }>;
  contexts: Record<
    string,
    { struct: string; progTypes: string[]; access: Record<string, "r" | "rw">; doc: string }
  >;
}
export interface Section {
  section: string;
  progType: string;
  progTypeId: number;
  expectedAttachType: string | null;
  expectedAttachTypeId: number | null;
  progFlags: string[];
  context: string;
  declarator: string;
  options: Record<string, string | boolean>;
  returns: string;
}
export interface MapType {
  className: string;
  mapType: string;
  mapTypeId: number;
  shape: string;
  doc: string;
}
export interface ConstGroup {
  group: string;
  doc: string;
  type: string;
  enum: boolean;
  values: { name: string; value: number; doc: string }[];
}
export interface Header {
  name: string;
  doc: string;
  fields: { name: string; type: string; doc: string }[];
}

export interface Tables {
  helpers: Helper[];
  kfuncs: Kfunc[];
  contexts: Contexts;
  sections: Section[];
  maps: MapType[];
  constants: { groups: ConstGroup[] };
  headers: { headers: Header[] };
}

export const TABLES_DIR = join(import.meta.dirname, "../stdlib/tables");

export function loadTables(dir = TABLES_DIR): Tables {
  const j = (f: string) => JSON.parse(readFileSync(join(dir, f), "utf8"));
  return {
    helpers: j("helpers.json"),
    kfuncs: j("kfuncs.json"),
    contexts: j("contexts.json"),
    sections: j("sections.json").sections,
    maps: j("maps.json").maps,
    constants: j("constants.json"),
    headers: j("headers.json"),
  };
}
