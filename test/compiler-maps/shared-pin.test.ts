// An XDP program and an LWT xmit program from one object share a map pinned
// by name: attached with Debian's ip inside a test namespace (run through
// nsenter so libbpf pins under the host's /sys/fs/bpf/tc/globals), traffic
// through both hooks (ping over lo, ping to a route with `encap bpf xmit`)
// updates the same map, read back from the pin with bpftool.

import { rmSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { createNetns, run } from "../../runtime/kernel/index.js";
import { buildObject } from "../compiler/compile-fixture.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { DIR } from "./harness.js";

const PIN = "/sys/fs/bpf/tc/globals/tsbpf_shared";

describeKernel(
  "a pinned map shared by XDP and LWT programs",
  () => {
    kernelTest(
      "traffic through both hooks updates the same pinned map",
      async () => {
        const { objPath } = buildObject(join(DIR, "shared", "shared_pin.ts"));
        rmSync(PIN, { force: true });
        const ns = await createNetns("shared");
        try {
          await ns.exec([
            "ip",
            "link",
            "set",
            "dev",
            "lo",
            "xdpgeneric",
            "obj",
            objPath,
            "sec",
            "xdp",
          ]);
          const route = ["192.0.2.1/32", "encap", "bpf", "xmit", "obj", objPath];
          await ns.exec(["ip", "route", "add", ...route, "section", "lwt_xmit", "dev", "lo"]);
          await ns.exec(["ping", "-c", "2", "-W", "1", "127.0.0.1"], { okCodes: [0, 1] });
          await ns.exec(["ping", "-c", "3", "-W", "1", "192.0.2.1"], { okCodes: [0, 1] });
          const dump = JSON.parse(
            (await run("bpftool", ["map", "dump", "pinned", PIN, "-j"])).stdout,
          ) as {
            key: string[];
            value: string[];
          }[];
          const count = (slot: number) => {
            const v = dump.find((e) => parseInt(e.key[0]!, 16) === slot)!.value;
            return v.reduce((acc, b, i) => acc + parseInt(b, 16) * 256 ** i, 0);
          };
          // ping over lo: requests and replies pass XDP; the LWT route sees the 3 requests.
          expect(count(0)).toBeGreaterThanOrEqual(4);
          expect(count(1)).toBe(3);
        } finally {
          ns.dispose();
          rmSync(PIN, { force: true });
        }
      },
      { tools: ["ping", "nsenter"], timeout: 60_000 },
    );
  },
  { tools: ["ping", "nsenter"] },
);
