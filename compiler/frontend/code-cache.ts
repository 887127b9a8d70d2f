// Loads ts-morph with a V8 code cache. Its CommonJS bundles (typescript.js
// alone is 9 MB) cost a fresh `tsbpf build` ~350 ms of CPU just to compile,
// plus the lazy compilation of every function the first compile runs. Node
// 20 has no module compile cache, so the three bundles are compiled here
// with vm.Script and `cachedData`, and registered in require's cache before
// `require("ts-morph")` runs; ts-morph then finds its modules loaded.
//
// The cache is written once (when missing or refused by V8) at process exit,
// so it holds the bytecode of every function the process ran, not only the
// top level. Files live in node_modules/.cache/tsbpf (else a private
// directory under the system temp dir), named by the bundle's path, size,
// mtime and inode and node's version and architecture; V8 refuses data from
// another V8 or other flags, and a refused cache is rewritten. Any problem
// falls back to a plain require: the cache only ever saves time.
// TSBPF_CODE_CACHE=0 turns it off; TSBPF_CACHE_DIR chooses the directory.

import {
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { Module, createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, sep } from "node:path";
import { Script, constants as vmConstants } from "node:vm";

interface PendingCache {
  script: Script;
  file: string;
  /** Prefix shared by this bundle's cache files of other versions, removed on write. */
  stalePrefix: string;
}

const pending: PendingCache[] = [];
/** Where preloadBundles found @ts-morph/common, so loadTsMorphCommon need not resolve it again. */
let preloadedCommonPath: string | undefined;

/** ts-morph, its bundles compiled through the code cache when possible. */
export function loadTsMorph(): typeof import("ts-morph") {
  const require = createRequire(import.meta.url);
  if (process.env["TSBPF_CODE_CACHE"] !== "0") {
    try {
      preloadBundles(require);
    } catch {
      // An unexpected layout or an unreadable file: the plain require below still works.
    }
  }
  return require("ts-morph") as typeof import("ts-morph");
}

/** The part of @ts-morph/common (ts-morph's own copy) that ts-morph.ts patches. */
export interface TsMorphCommon {
  LocaleStringComparer: { prototype: { compareTo(a: string, b: string): number } };
}

/** @ts-morph/common, the copy ts-morph itself requires (not a dependency of ours). */
export function loadTsMorphCommon(): TsMorphCommon {
  const require = createRequire(import.meta.url);
  const path =
    preloadedCommonPath ?? createRequire(require.resolve("ts-morph")).resolve("@ts-morph/common");
  return require(path) as TsMorphCommon;
}

/** Writes the caches still missing (registered as an exit handler; safe to call any time). */
export function saveCodeCache(): void {
  for (const p of pending.splice(0)) {
    try {
      const data = p.script.createCachedData();
      const dir = dirname(p.file);
      for (const old of readdirSync(dir)) {
        if (old.startsWith(p.stalePrefix) && join(dir, old) !== p.file) unlinkSync(join(dir, old));
      }
      // Written aside and renamed, so a concurrent reader never sees half a file.
      const tmp = `${p.file}.${process.pid}.tmp`;
      writeFileSync(tmp, data);
      renameSync(tmp, p.file);
    } catch {
      // Not writable or raced by another process: the next run tries again.
    }
  }
}

/** typescript.js, then @ts-morph/common, then ts-morph itself: each requires the one before. */
function preloadBundles(require: NodeJS.Require): void {
  const tsMorphPath = require.resolve("ts-morph");
  const commonPath = createRequire(tsMorphPath).resolve("@ts-morph/common");
  const typescriptPath = createRequire(commonPath).resolve("./typescript");
  preloadedCommonPath = commonPath;
  const bundles = [typescriptPath, commonPath, tsMorphPath];
  if (bundles.some((path) => require.cache[path])) return; // someone loaded them already
  const dir = cacheDir(tsMorphPath);
  for (const path of bundles) preload(path, dir, require);
  if (pending.length > 0) process.once("exit", saveCodeCache);
}

function preload(path: string, dir: string | undefined, require: NodeJS.Require): void {
  const source = readFileSync(path, "utf8");
  const st = statSync(path);
  const stalePrefix = `${basename(path, ".js")}-${hashString(path)}-`;
  const key = `${st.size}-${Math.trunc(st.mtimeMs)}-${st.ino}-${process.version}-${process.arch}`;
  const file = dir ? join(dir, `${stalePrefix}${key}.bin`) : undefined;
  let cachedData: Buffer | undefined;
  try {
    if (file) cachedData = readFileSync(file);
  } catch {
    // no cache yet
  }
  const script = new Script(Module.wrap(source), {
    filename: path,
    ...(cachedData ? { cachedData } : {}),
    // typescript.js has import() calls (plugins); let them resolve like a normal module's.
    importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = new Module(path);
  mod.filename = path;
  const moduleRequire = createRequire(path);
  mod.paths = moduleRequire.resolve.paths("ts-morph") ?? [];
  require.cache[path] = mod;
  try {
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(mod.exports, mod.exports, moduleRequire, mod, path, dirname(path));
    mod.loaded = true;
  } catch (e) {
    delete require.cache[path];
    throw e;
  }
  if (file && (!cachedData || script.cachedDataRejected)) {
    pending.push({ script, file, stalePrefix });
  }
}

/** node_modules/.cache/tsbpf beside the ts-morph package, else a private temp directory. */
function cacheDir(tsMorphPath: string): string | undefined {
  const explicit = process.env["TSBPF_CACHE_DIR"];
  const at = tsMorphPath.lastIndexOf(`${sep}node_modules${sep}`);
  const candidates = [
    ...(explicit ? [explicit] : []),
    ...(at >= 0 ? [join(tsMorphPath.slice(0, at), "node_modules", ".cache", "tsbpf")] : []),
  ];
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true });
      return dir;
    } catch {
      // read-only install: try the next place
    }
  }
  return privateTempDir();
}

/**
 * A directory only this user can write: V8 trusts code cache contents, so
 * another user must not be able to plant one.
 */
function privateTempDir(): string | undefined {
  const uid = process.getuid?.() ?? 0;
  const dir = join(tmpdir(), `tsbpf-code-cache-${uid}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** FNV-1a, to tell apart bundles at different paths that share a cache directory. */
function hashString(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}
