// One-off importer: bpf-helpers(7) + the seed lists + the kernel probe -> stdlib/tables/helpers.json.
// The JSON it writes is the committed table (the single source the generator reads); this
// script only needs re-running when the seeds change. Parameter kinds are classified here
// from the C prototypes, by the rules below, so a reviewer can check them in one place.
// Usage: npx tsx scripts/stdlib-import-helpers.ts [../shared]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseHelpersMan } from "./stdlib-roff.js";

const shared = process.argv[2] ?? join(import.meta.dirname, "../../shared");
const read = (p: string) => readFileSync(join(shared, p), "utf8");
const list = (p: string) => new Set(read(p).split(/\s+/).filter(Boolean));

/** What the compiler must do with an argument; see stdlib/README.md. */
type ParamKind =
  | "scalar" // an integer in a register
  | "ctx" // the program's context (R1 on entry)
  | "map" // a map object; the compiler loads its fd/address (ld_imm64 pseudo)
  | "mapKey" // pointer to a key, size = the map's key size
  | "mapValue" // pointer to a value, size = the map's value size
  | "mem" // pointer to memory; sized by `sizeArg` when present
  | "size" // the byte count of the `mem` argument named by `sizeOf`
  | "string" // pointer to a NUL-terminated (usually constant) string
  | "callback" // a top-level function passed by address (BPF_PSEUDO_FUNC)
  | "dynptr" // pointer to a struct bpf_dynptr on the stack
  | "kernelPtr" // a BTF pointer to a kernel object (socket, task, cgroup...)
  | "varargs"; // bpf_trace_printk's trailing u64 arguments

interface Param {
  name: string;
  ctype: string;
  kind: ParamKind;
  sizeArg?: string;
  sizeOf?: string;
}

const CTX_TYPES = /^struct (sk_buff|xdp_buff|__sk_buff|xdp_md) \*$/;
const OTHER_CTX =
  /^struct (pt_regs|bpf_sock_ops|sk_msg_buff|bpf_sock_addr|bpf_sysctl|sk_reuseport_md|bpf_perf_event_data|bpf_sk_lookup) \*$/;
const SIZE_NAME = /(size|len|_sz|^plen|^optlen|^nr_words)$/;

function splitParam(raw: string): { ctype: string; name: string } {
  const m = /^(.*?)(\w+)$/.exec(raw.trim());
  if (!m) return { ctype: raw.trim(), name: "" };
  return {
    ctype: m[1]!
      .trim()
      .replace(/\s*\*\s*/g, " *")
      .replace(/\s+\*/g, " *"),
    name: m[2]!,
  };
}

function classify(ctype: string, name: string, helper: string): ParamKind {
  if (ctype === "struct bpf_map *") return "map";
  if (CTX_TYPES.test(ctype) || OTHER_CTX.test(ctype)) return "ctx";
  if (/^(const )?void \*$/.test(ctype) && (name === "ctx" || name === "skb")) return "ctx";
  if (/(^|_)fn$|^callback$/.test(name)) return "callback";
  if (/struct bpf_dynptr \*$/.test(ctype)) return "dynptr";
  if (ctype.endsWith("char *")) return "string";
  if (name === "key" && /map/.test(helper)) return "mapKey";
  if (name === "value" && /map|storage/.test(helper)) return "mapValue";
  if (
    /^(const )?struct (bpf_sock|sock|task_struct|cgroup|file|inode|path|seq_file|socket|linux_binprm|btf_ptr) \*$/.test(
      ctype,
    ) &&
    !/btf_ptr/.test(ctype)
  )
    return "kernelPtr";
  if (ctype.endsWith("*")) return "mem";
  return "scalar";
}

function parseSignature(sig: string, helper: string) {
  const m = /^(.*?)\s*\b(bpf_\w+)\((.*)\)$/.exec(sig);
  if (!m) throw new Error(`cannot read signature: ${sig}`);
  const retType = m[1]!.replace(/\s*\*$/, " *").trim();
  const params: Param[] = [];
  for (const raw of m[3]!.split(",").map((s) => s.trim())) {
    if (raw === "void" || raw === "") continue;
    if (raw === "...") {
      params.push({ name: "args", ctype: "...", kind: "varargs" });
      continue;
    }
    const { ctype, name } = splitParam(raw);
    params.push({ name, ctype, kind: classify(ctype, name, helper) });
  }
  // A pointer directly followed by an integer named like a size is sized by it.
  for (let i = 0; i + 1 < params.length; i++) {
    const p = params[i]!;
    const n = params[i + 1]!;
    if (
      (p.kind === "mem" || p.kind === "string") &&
      n.kind === "scalar" &&
      SIZE_NAME.test(n.name)
    ) {
      p.sizeArg = n.name;
      n.kind = "size";
      n.sizeOf = p.name;
    }
  }
  return { signature: sig, retType, params };
}

function returnKind(retType: string, returnsDoc: string, helper: string) {
  if (retType === "void") return { kind: "void", nullable: false };
  if (!retType.endsWith("*")) return { kind: "scalar", nullable: false };
  const nullable = /NULL/.test(returnsDoc);
  if (/lookup_elem|storage_get|map_lookup/.test(helper)) return { kind: "mapValue", nullable };
  if (
    /struct (bpf_sock|sock|tcp\w*|udp6_sock|unix_sock|mptcp_sock|task_struct|socket|pt_regs|tcp6_sock|tcp_sock)/.test(
      retType,
    )
  )
    return { kind: "kernelPtr", nullable };
  return { kind: "mem", nullable };
}

const man = parseHelpersMan(read("seeds/bpf-helpers.7"));
const ids = read("data/helpers-all.txt")
  .trim()
  .split("\n")
  .map((l) => l.split(" "))
  .map(([id, name]) => ({ id: Number(id), name: name! }));
const xdp = list("data/helpers-xdp.txt");
const lwt = list("data/helpers-lwt.txt");
const probed = JSON.parse(
  readFileSync(join(import.meta.dirname, "../stdlib/tables/helpers-probed.json"), "utf8"),
) as Record<string, { gplOnly: boolean | null; offeredTo: string[] }>;

const helpers = ids.map(({ id, name }) => {
  const entries = man.filter((e) => new RegExp(`\\b${name}\\(`).test(e.signature));
  if (entries.length === 0) throw new Error(`${name} is not in the manual`);
  const first = entries[0]!;
  return {
    id,
    name,
    progTypes: [...(xdp.has(name) ? ["xdp"] : []), ...(lwt.has(name) ? ["lwt"] : [])],
    kernelOffers: probed[name]?.offeredTo ?? [],
    gplOnly: probed[name]?.gplOnly ?? null,
    prototypes: entries
      .map((e) => {
        const p = parseSignature(e.signature, name);
        return { ...p, ret: { ctype: p.retType, ...returnKind(p.retType, e.returns, name) } };
      })
      .map(({ retType: _r, ...rest }) => rest),
    // Overloads (bpf_get_socket_cookie, bpf_sk_assign) have one text each; join them.
    description: entries.map((e) => e.description).join("\n\n"),
    returns: first.returns,
  };
});

const out = join(import.meta.dirname, "../stdlib/tables/helpers.json");
writeFileSync(out, JSON.stringify(helpers, null, 1) + "\n");
console.log(`wrote ${helpers.length} helpers to ${out}`);
