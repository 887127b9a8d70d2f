// Every helper and kfunc implementation the runtime has, merged from one
// file per family. Another family: export a HelperRegistry from its file
// and add it to the list here; later entries override earlier ones.

import type { HelperRegistry } from "../env.js";
import { coreHelpers } from "./core.js";
import { FAMILY_HELPERS, FAMILY_KFUNCS } from "./families.js";

export const HELPER_FAMILIES: readonly HelperRegistry[] = [coreHelpers, ...FAMILY_HELPERS];
export const KFUNC_FAMILIES: readonly HelperRegistry[] = [...FAMILY_KFUNCS];

function merge(families: readonly HelperRegistry[]): HelperRegistry {
  return Object.assign({}, ...families) as HelperRegistry;
}

/** Helpers by kernel name (ids come from HELPER_ID). */
export const HELPERS_IMPL: HelperRegistry = merge(HELPER_FAMILIES);
/** Kfuncs by kernel name. */
export const KFUNCS_IMPL: HelperRegistry = merge(KFUNC_FAMILIES);
