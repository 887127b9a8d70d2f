// Imported first by translate-semantics.test.ts: makes createVm default to
// the translating tier in that test file's module graph (vitest isolates
// each test file), so the semantics tests below it run on that tier.

import { setDefaultTier } from "../../runtime/vm/index.js";

setDefaultTier("translate");
