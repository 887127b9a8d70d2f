// The files `tsbpf init` writes: a program, a vitest test that runs it in
// the bundled interpreter through the runtime API, a tsconfig.json that
// type-checks the program against the tsbpf stdlib alone (as the compiler
// sees it: no DOM, no Node), and a package.json with the scripts.

export interface TemplateOptions {
  name: string;
  /** The tsbpf version to depend on. */
  version: string;
}

const PROGRAM = `// Drops UDP datagrams to port 9999 and passes everything else.
//
// Build:   npx tsbpf build src/prog.ts -o prog.o
// Test:    npm test
// Attach:  ip link set dev eth0 xdp obj prog.o sec xdp
// Detach:  ip link set dev eth0 xdp off
import { xdp, XdpAction, htons, ETH_P_IP, IPPROTO_UDP } from "tsbpf";
import type { EthHdr, Ipv4Hdr, UdpHdr } from "tsbpf";

const BLOCKED_PORT = 9999;

export const drop_udp_9999 = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip || ip.protocol !== IPPROTO_UDP) return XdpAction.PASS;
  const udp = ctx.header<UdpHdr>(14 + (ip.ver_ihl & 0x0f) * 4);
  return udp && udp.dest === htons(BLOCKED_PORT) ? XdpAction.DROP : XdpAction.PASS;
});
`;

const TEST = `// Runs src/prog.ts in tsbpf's bundled interpreter: compile, load, run frames.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile, formatDiagnostic } from "tsbpf/compiler";
import { loadObject } from "tsbpf/runtime";

const fileName = new URL("../src/prog.ts", import.meta.url).pathname;
const built = compile({ fileName, text: readFileSync(fileName, "utf8") });
if (!built.object) throw new Error(built.diagnostics.map(formatDiagnostic).join("\\n"));
const prog = loadObject(built.object).program("drop_udp_9999");

/** Ethernet + IPv4 + UDP to \`port\`. */
function udpFrame(port: number): Uint8Array {
  const eth = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
  const ip = [0x45, 0, 0, 32, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const udp = [0x9c, 0x40, port >> 8, port & 0xff, 0, 12, 0, 0, 1, 2, 3, 4];
  return Uint8Array.from([...eth, ...ip, ...udp]);
}

describe("drop_udp_9999", () => {
  it("drops UDP to port 9999", () => {
    expect(prog.run({ packet: udpFrame(9999) }).action).toBe("XDP_DROP");
  });
  it("passes other ports unchanged", () => {
    const r = prog.run({ packet: udpFrame(53) });
    expect(r.action).toBe("XDP_PASS");
    expect(r.packet).toEqual(udpFrame(53));
  });
});
`;

/** Type-checks src/ as tsbpf programs: the stdlib replaces the default lib. */
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "ESNext",
    moduleResolution: "Bundler",
    noLib: true,
    types: [],
    strict: true,
    noEmit: true,
    paths: { tsbpf: ["./node_modules/tsbpf/stdlib/index.d.ts"] },
  },
  include: ["src/**/*.ts"],
};

export function projectFiles(o: TemplateOptions): Record<string, string> {
  const pkg = {
    name: o.name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: {
      build: "tsbpf build src/prog.ts -o prog.o",
      check: "tsbpf check src/prog.ts && tsc -p tsconfig.json",
      test: "vitest run",
    },
    devDependencies: {
      tsbpf: `^${o.version}`,
      typescript: "^5.9.0",
      vitest: "^3.2.0",
    },
  };
  return {
    "package.json": `${JSON.stringify(pkg, null, 2)}\n`,
    "tsconfig.json": `${JSON.stringify(TSCONFIG, null, 2)}\n`,
    "src/prog.ts": PROGRAM,
    "test/prog.test.ts": TEST,
    ".gitignore": "node_modules/\n*.o\n",
  };
}
