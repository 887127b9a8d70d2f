// examples/xdp_reflector.ts end to end: attached (generic XDP) to B's veth,
// UDP datagrams from A to B's port 7 come back from B:7 although nothing in
// B listens on port 7; datagrams to another port still reach a receiver.

import { afterAll, expect } from "vitest";
import { createVethTopology } from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { E2E, objDir, udpEcho, udpReceiver, udpSend } from "./net.js";

describeKernel(
  "e2e: xdp_reflector",
  () => {
    const objs = objDir();
    afterAll(() => objs.dispose());

    kernelTest(
      "answers UDP port 7 from XDP; other ports reach the stack",
      async () => {
        const obj = objs.build("xdp_reflector");
        const t = await createVethTopology({
          addressA: "10.211.0.1/24",
          addressB: "10.211.0.2/24",
        });
        try {
          const h = await t.attachXdp("b", obj, "xdp", "xdpgeneric");
          expect(h.btfIgnored).toBe(false);
          const answers = await udpEcho(t, "a", t.ipB, 7, 3);
          expect(answers.map((a) => a.data)).toEqual(["ping 0", "ping 1", "ping 2"]);
          expect(answers.every((a) => a.from === t.ipB && a.sport === 7)).toBe(true);

          const rx = await udpReceiver(t, "b", 5000);
          await udpSend(t, "a", t.ipB, 5000, { count: 2 });
          expect((await rx.done()).length).toBe(2);
        } finally {
          t.dispose();
        }
      },
      E2E,
    );
  },
  E2E,
);
