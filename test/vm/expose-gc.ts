// The garbage collector for allocation tests, exposed at run time (v8 flag
// + a fresh context) so no node flag is needed. When that fails, `gc` is
// undefined and the reason is printed: the tests then skip.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

function expose(): (() => void) | undefined {
  try {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    console.log(`SKIPPED: cannot expose the garbage collector (${why})`);
    return undefined;
  }
}

export const gc = expose();
