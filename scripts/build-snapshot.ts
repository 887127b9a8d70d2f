// Builds tsbpf's start-up snapshot (the second half of `npm run build`,
// after tsc): bundles dist/compiler/cli/snapshot-main.js with ts-morph into
// one CommonJS file (V8 snapshots take no ES modules), runs it under
// `node --build-snapshot`, checks that the blob starts, and moves it into
// place with a stamp naming the node binary it belongs to. bin/tsbpf uses
// the blob only when that node runs it; otherwise, and whenever this script
// could not build it, bin/tsbpf starts the plain CLI. A failure here is a
// warning, not an error: the snapshot only saves time.
//
// TypeScript goes in trimmed to the regions tsbpf can reach
// (snapshot-trim-typescript.ts).
//
// Output, in dist/snapshot/: tsbpf.cjs (the bundle), trimmed.json (the
// TypeScript regions left out), inputs.json (every file bundled, with size
// and mtime, checked by the snapshot at each start), tsbpf.blob and tsbpf.blob.node (line 1: `stat -L -c %s-%Y-%i` of node;
// line 2: the V8 flags the blob was made with, which bin/tsbpf passes again:
// V8 refuses a snapshot made under other flags).

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { identifiersOf, trimTypeScript } from "./snapshot-trim-typescript.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const dist = join(root, "dist");
const outDir = join(dist, "snapshot");
const entry = join(dist, "compiler", "cli", "snapshot-main.js");

/**
 * V8 flags for the snapshot, at build and at every start. --no-opt: no
 * TurboFan. A compile is over in well under a second of CPU, too short for
 * optimized code to repay its compilation (on background threads, which
 * count in the CPU time) and its deoptimizations: the 16-file corpus in one
 * invocation took 2420 ms of CPU with TurboFan and 1490-1530 ms without, one
 * program 460-520 vs 370-400 ms, a 3,000-statement function 2930 vs 1650 ms
 * (same runs, load 8-12). Sparkplug's baseline code stays on (without it the
 * corpus took 1920 ms).
 * --min-semi-space-size=16: the young generation starts at the 16 MB it
 * may grow to anyway, instead of 1 MB. A compile allocates fast (the
 * checker's types, the IR), and each scavenge of the small space copies the
 * survivors again: the 16-file corpus ran 35 scavenges (230-270 ms of pauses
 * under load 12) and 8 with this (90-115 ms); CPU medians of 7 runs 1090 ->
 * 1050 ms (clang 1009), one program 320 -> 310 ms. Peak RSS grows by at
 * most the 30 MB of the two semi-spaces.
 */
export const SNAPSHOT_V8_FLAGS = ["--no-opt", "--min-semi-space-size=16"];

/** The key bin/tsbpf computes with `stat -L -c %s-%Y-%i "$(command -v node)"`. */
export function nodeKey(nodePath: string): string {
  const st = statSync(nodePath);
  return `${st.size}-${Math.floor(st.mtimeMs / 1000)}-${st.ino}`;
}

// Each dist module asks for its own URL (to find the stdlib, package.json):
// in the bundle it is computed from where dist/ is when the snapshot runs.
const BANNER = `var __tsbpfBuildDist = ${JSON.stringify(dist)};
function __tsbpfModuleUrl(rel) {
  const path = require("node:path").join(globalThis.__tsbpfDistRoot ?? __tsbpfBuildDist, rel);
  return require("node:url").pathToFileURL(path).href;
}`;

const TYPESCRIPT_JS = /[\\/]@ts-morph[\\/]common[\\/]dist[\\/]typescript\.js$/;

/** The plugin; with `usedNames`, typescript.js is trimmed to what code using those names reaches. */
const plugin = (usedNames?: ReadonlySet<string>): esbuild.Plugin => ({
  name: "tsbpf-snapshot",
  setup(build) {
    // No code cache inside a snapshot: ts-morph is bundled and already loaded.
    build.onResolve({ filter: /\/code-cache\.js$/ }, () => ({
      path: "code-cache",
      namespace: "tsbpf-snapshot",
    }));
    build.onLoad({ filter: /.*/, namespace: "tsbpf-snapshot" }, () => ({
      contents: [
        `exports.loadTsMorph = () => require("ts-morph");`,
        `exports.loadTsMorphCommon = () => require("@ts-morph/common");`,
        `exports.saveCodeCache = () => {};`,
      ].join("\n"),
      loader: "js",
      resolveDir: root,
    }));
    // @ts-morph/common holds TypeScript's lib .d.ts files as string literals
    // (4.5 MB, a sixth of the blob) for ts-morph Projects on an in-memory file
    // system. tsbpf builds its programs with noLib and only wraps their files
    // (createWrappedNode, which skips lib files), so the snapshot leaves them
    // out: a smaller blob deserializes faster at every start.
    build.onLoad(
      { filter: /[\\/]@ts-morph[\\/]common[\\/]dist[\\/]ts-morph-common\.js$/ },
      (args) => {
        const text = readFileSync(args.path, "utf8");
        const stripped = withoutLibFiles(text);
        if (stripped === text) console.warn("build-snapshot: ts-morph's lib files not found; kept");
        return { contents: stripped, loader: "js" };
      },
    );
    if (usedNames)
      build.onLoad({ filter: TYPESCRIPT_JS }, (args) => {
        const text = readFileSync(args.path, "utf8");
        try {
          const trimmed = trimTypeScript(text, usedNames);
          const { keptStatements, droppedStatements, droppedRegions } = trimmed;
          const report = { keptStatements, droppedStatements, droppedRegions };
          writeFileSync(join(outDir, "trimmed.json"), `${JSON.stringify(report, null, 1)}\n`);
          return { contents: trimmed.text, loader: "js" };
        } catch (e) {
          console.warn(`build-snapshot: TypeScript bundled whole (${String(e)})`);
          return { contents: text, loader: "js" };
        }
      });
    build.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(dist)) return undefined;
      const rel = relative(dist, args.path);
      const text = readFileSync(args.path, "utf8");
      const url = `__tsbpfModuleUrl(${JSON.stringify(rel)})`;
      return { contents: text.replaceAll("import.meta.url", url), loader: "js" };
    });
  },
});

/**
 * ts-morph-common.js with its `libFiles` array emptied and `getLibFiles()`
 * throwing, so a use nobody expected fails loudly instead of seeing no lib
 * files; the text unchanged when that array is not where it was.
 */
export function withoutLibFiles(text: string): string {
  const start = text.indexOf("\nconst libFiles = [{");
  const getterText = "\nfunction getLibFiles() {\n    return libFiles;\n}";
  const getter = text.indexOf(getterText);
  const end = text.lastIndexOf("}];", getter); // the array's end: the last `}];` before the getter
  if (start < 0 || getter < 0 || end < start) return text;
  const thrower = `function getLibFiles() { throw new Error("tsbpf's snapshot bundles no lib files"); }`;
  return `${text.slice(0, start)}\nconst libFiles = [];\n${thrower}${text.slice(getter + getterText.length)}`;
}

/**
 * Every identifier in the code of the files bundled besides TypeScript
 * (property names included): how ts-morph and tsbpf name what they use of it.
 */
async function namesUsedOutsideTypeScript(): Promise<Set<string>> {
  const first = await esbuild.build({ ...bundleOptions(plugin()), write: false });
  const names = new Set<string>();
  for (const input of Object.keys(first.metafile.inputs)) {
    if (input.includes(":") || TYPESCRIPT_JS.test(input)) continue;
    let text = readFileSync(resolve(root, input), "utf8");
    if (/ts-morph-common\.js$/.test(input)) text = withoutLibFiles(text);
    identifiersOf(text, names);
  }
  return names;
}

function bundleOptions(plugin: esbuild.Plugin) {
  return {
    entryPoints: [entry],
    outfile: join(outDir, "tsbpf.cjs"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    banner: { js: BANNER },
    plugins: [plugin],
    metafile: true,
    // Minified: the bundle's source string is saved in the snapshot's heap,
    // and every byte of the blob is read and deserialized at each start
    // (29.0 MB blob -> 18.2 MB with the lib files left out and this; `tsbpf
    // --version` 210 -> 170 ms of CPU, node itself 30-40 ms; load 12).
    minifyWhitespace: true,
    minifyIdentifiers: true,
    minifySyntax: true,
    logLevel: "error",
  } satisfies esbuild.BuildOptions;
}

async function bundle(): Promise<string[]> {
  const result = await esbuild.build(bundleOptions(plugin(await namesUsedOutsideTypeScript())));
  return Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes(":"))
    .map((p) => resolve(root, p));
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, args, { encoding: "utf8", env, cwd: outDir });
}

async function buildSnapshot(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const inputs = (await bundle()).map((path) => {
    const st = statSync(path);
    return { path, size: st.size, mtimeMs: st.mtimeMs };
  });
  const inputsFile = join(outDir, "inputs.json");
  writeFileSync(inputsFile, `${JSON.stringify(inputs, null, 1)}\n`);

  const tmp = join(outDir, `tsbpf.blob.${process.pid}.tmp`);
  const built = run(
    [...SNAPSHOT_V8_FLAGS, "--snapshot-blob", tmp, "--build-snapshot", join(outDir, "tsbpf.cjs")],
    { ...process.env, TSBPF_SNAPSHOT_INPUTS: inputsFile },
  );
  if (built.status !== 0) throw new Error(`node --build-snapshot: ${built.stderr.trim()}`);

  // A damaged blob crashes node, so it is only put in place once it has run.
  const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version as string;
  const probe = run([...SNAPSHOT_V8_FLAGS, "--snapshot-blob", tmp, "--", "--version"]);
  if (probe.stdout !== `tsbpf ${version}\n`) {
    throw new Error(`the snapshot does not start: ${probe.stderr.trim() || probe.stdout}`);
  }
  renameSync(tmp, join(outDir, "tsbpf.blob"));
  writeFileSync(
    join(outDir, "tsbpf.blob.node"),
    `${nodeKey(process.execPath)}\n${SNAPSHOT_V8_FLAGS.join(" ")}\n`,
  );
}

buildSnapshot().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(
    `build-snapshot: no start-up snapshot (${message}); tsbpf works, starts slower\n`,
  );
});
