// The helper and kfunc families beside core.ts, in one list each for
// index.ts to merge: packet, checksum, redirect, skb metadata, FIB, general
// utilities, timers, dynptrs, simulated task/socket helpers; kfuncs with real
// semantics, string kfuncs, simulated kfuncs, and the ones that fault with a
// reason (not implemented, or sleepable and so refused by the verifier).

import type { HelperRegistry } from "../env.js";
import { cgroupHelpers, cgroupKfuncs } from "./cgroups.js";
import { conntrackKfuncs } from "./conntrack.js";
import { csumHelpers } from "./csum.js";
import { localObjectKfuncs } from "./local-objects.js";
import { dynptrHelpers } from "./dynptr.js";
import { fibHelpers } from "./fib.js";
import { kfuncHelpers } from "./kfuncs.js";
import { packetHelpers } from "./packet.js";
import { probeDynptrKfuncs } from "./probe-dynptr.js";
import { redirectHelpers } from "./redirect.js";
import { missingKfuncs, simulatedHelpers, simulatedKfuncs } from "./simulated.js";
import { skbHelpers } from "./skb.js";
import { snprintfBtfHelpers } from "./snprintf-btf.js";
import { stringKfuncs } from "./strings.js";
import { timerHelpers } from "./timer.js";
import { userRingbufHelpers } from "./user-ringbuf.js";
import { utilHelpers } from "./util.js";
import { workqueueKfuncs } from "./workqueue.js";

export const FAMILY_HELPERS: readonly HelperRegistry[] = [
  packetHelpers,
  csumHelpers,
  redirectHelpers,
  skbHelpers,
  fibHelpers,
  utilHelpers,
  timerHelpers,
  dynptrHelpers,
  simulatedHelpers,
  userRingbufHelpers,
  cgroupHelpers,
  snprintfBtfHelpers,
];

export const FAMILY_KFUNCS: readonly HelperRegistry[] = [
  kfuncHelpers,
  stringKfuncs,
  simulatedKfuncs,
  missingKfuncs,
  conntrackKfuncs,
  probeDynptrKfuncs,
  localObjectKfuncs,
  workqueueKfuncs,
  cgroupKfuncs,
];
