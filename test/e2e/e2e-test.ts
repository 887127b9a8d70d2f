// The shape every end-to-end test shares: a kernel-gated test (SKIPPED with
// the reason when there is no kernel) that gets a fresh two-namespace veth
// topology on its own 10.<subnet>.0.0/24 and a directory of built examples,
// both removed afterwards whatever happens.

import { createVethTopology, type VethTopology } from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { E2E, objDir, type ObjDir } from "./net.js";

export function e2eTest(
  name: string,
  subnet: number,
  body: (t: VethTopology, objs: ObjDir) => Promise<void>,
): void {
  describeKernel(
    `e2e: ${name}`,
    () => {
      kernelTest(
        name,
        async () => {
          const objs = objDir();
          const t = await createVethTopology({
            addressA: `10.${subnet}.0.1/24`,
            addressB: `10.${subnet}.0.2/24`,
          });
          try {
            await body(t, objs);
          } finally {
            t.dispose();
            objs.dispose();
          }
        },
        E2E,
      );
    },
    E2E,
  );
}
