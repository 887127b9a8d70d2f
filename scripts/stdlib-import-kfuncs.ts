// One-off importer: kfuncs-{xdp,lwt}.txt + kfunc-prototypes.txt -> stdlib/tables/kfuncs.json.
// Prototypes are this kernel's (6.18) BTF ones; argument suffixes (__sz, __k, __ign, __str,
// __uninit, __opt, __map, __prog, __nullable) carry the verifier's meaning and are turned
// into kinds here. Flags are not in BTF: FLAGS below is read by hand from the kernel's
// BTF_ID_FLAGS(func, name, KF_...) lines (kernel/bpf/helpers.c, net/netfilter/nf_conntrack_bpf.c,
// kernel/bpf/arena.c, kernel/bpf/cpumask.c ...). Usage: npx tsx scripts/stdlib-import-kfuncs.ts [../shared]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const shared = process.argv[2] ?? join(import.meta.dirname, "../../shared");
const read = (p: string) => readFileSync(join(shared, p), "utf8");
const list = (p: string) => new Set(read(p).split(/\s+/).filter(Boolean));

type Flag = "acquire" | "release" | "retNull" | "sleepable" | "destructive" | "trustedArgs";
const A: Flag[] = ["acquire", "retNull"];
const FLAGS: Record<string, Flag[]> = {
  bpf_cgroup_acquire: A,
  bpf_cgroup_ancestor: A,
  bpf_cgroup_from_id: A,
  bpf_cgroup_release: ["release"],
  bpf_task_acquire: A,
  bpf_task_from_pid: A,
  bpf_task_get_cgroup1: A,
  bpf_task_release: ["release"],
  bpf_ct_insert_entry: ["acquire", "retNull", "release"],
  bpf_ct_release: ["release"],
  bpf_skb_ct_alloc: A,
  bpf_skb_ct_lookup: A,
  bpf_xdp_ct_alloc: A,
  bpf_xdp_ct_lookup: A,
  bpf_obj_new_impl: A,
  bpf_percpu_obj_new_impl: A,
  bpf_refcount_acquire_impl: A,
  bpf_obj_drop_impl: ["release"],
  bpf_percpu_obj_drop_impl: ["release"],
  bpf_list_push_front_impl: ["release"],
  bpf_list_push_back_impl: ["release"],
  bpf_list_pop_front: A,
  bpf_list_pop_back: A,
  bpf_rbtree_remove: A,
  bpf_rbtree_add_impl: ["release"],
  bpf_rbtree_first: ["retNull"],
  bpf_get_kmem_cache: ["retNull"],
  bpf_dynptr_slice: ["retNull"],
  bpf_dynptr_slice_rdwr: ["retNull"],
  bpf_arena_alloc_pages: ["trustedArgs", "sleepable"],
  bpf_arena_free_pages: ["trustedArgs", "sleepable"],
  bpf_arena_reserve_pages: ["trustedArgs", "sleepable"],
  bpf_copy_from_user_str: ["sleepable"],
  bpf_copy_from_user_task_str: ["trustedArgs", "sleepable"],
  bpf_copy_from_user_dynptr: ["sleepable"],
  bpf_copy_from_user_str_dynptr: ["sleepable"],
  bpf_copy_from_user_task_dynptr: ["trustedArgs", "sleepable"],
  bpf_copy_from_user_task_str_dynptr: ["trustedArgs", "sleepable"],
  bpf_cgroup_read_xattr: ["trustedArgs", "sleepable"],
  bpf_iter_dmabuf_new: ["sleepable"],
  bpf_iter_dmabuf_next: ["retNull", "sleepable"],
  bpf_iter_dmabuf_destroy: ["sleepable"],
  bpf_iter_kmem_cache_new: ["sleepable"],
  bpf_iter_kmem_cache_next: ["retNull", "sleepable"],
  bpf_iter_kmem_cache_destroy: ["sleepable"],
  bpf_ct_set_nat_info: ["trustedArgs"],
  bpf_ct_change_status: ["trustedArgs"],
  bpf_ct_change_timeout: ["trustedArgs"],
  bpf_ct_set_status: ["trustedArgs"],
  bpf_ct_set_timeout: ["trustedArgs"],
  bpf_task_under_cgroup: ["trustedArgs"],
  bpf_xdp_metadata_rx_hash: [],
  crash_kexec: ["destructive"],
};
// Every iterator's _next may return NULL (end of iteration).
const flagsOf = (n: string): Flag[] =>
  FLAGS[n] ?? (/^bpf_iter_\w+_next$/.test(n) ? ["retNull"] : []);

// Absent from this kernel's BTF; declared from their upstream prototypes (see kfunc-prototypes.txt).
const ABSENT: Record<string, { prototype: string; reason: string }> = {
  crash_kexec: {
    prototype: "void crash_kexec(struct pt_regs * regs);",
    reason: "kexec is not built into this kernel",
  },
  bpf_stream_vprintk: {
    prototype:
      "int bpf_stream_vprintk(int stream_id, const char * fmt__str, const void * args, u32 len__sz, void * aux__prog);",
    reason: "renamed bpf_stream_vprintk_impl in this kernel",
  },
};

function kindOf(ctype: string, name: string): string {
  if (/__sz$/.test(name)) return "size";
  if (/__szk$|__k$/.test(name)) return "const";
  if (/__str$/.test(name)) return "string";
  if (/__map$/.test(name)) return "map";
  if (/__prog$/.test(name)) return "progAux";
  if (/__ign$/.test(name)) return "ignored";
  if (/^fn \*$/.test(ctype)) return "callback";
  if (/struct (__sk_buff|xdp_md) \*$/.test(ctype)) return "ctx";
  if (/struct bpf_dynptr \*$/.test(ctype)) return "dynptr";
  if (/struct bpf_iter_\w+ \*$/.test(ctype)) return "iter";
  if (
    /struct (bpf_wq|bpf_res_spin_lock|bpf_list_head|bpf_list_node|bpf_rb_root|bpf_rb_node) \*$/.test(
      ctype,
    )
  )
    return "special";
  if (/^(const )?struct \w+ \*$/.test(ctype) && !/bpf_sock_tuple|bpf_ct_opts/.test(ctype))
    return "kernelPtr";
  if (ctype.endsWith("*")) return "mem";
  return "scalar";
}

function parse(proto: string) {
  const m = /^(.*?)\s*\b(\w+)\((.*)\);$/.exec(proto.trim());
  if (!m) throw new Error(`cannot read prototype: ${proto}`);
  const params = m[3]!
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s && s !== "void")
    .map((raw) => {
      const pm = /^(.*?)\s*(\w+)$/.exec(raw)!;
      const ctype = pm[1]!.replace(/\s*\*\s*/g, " *").trim();
      return {
        name: pm[2]!,
        ctype,
        kind: kindOf(ctype, pm[2]!),
        nullable: /__nullable$|__opt$|__ign$|__prog$/.test(pm[2]!),
      };
    });
  return { ret: m[1]!.trim(), params };
}

const xdp = list("data/kfuncs-xdp.txt");
const lwt = list("data/kfuncs-lwt.txt");
const protos = new Map<string, string>();
for (const line of read("data/kfunc-prototypes.txt").split("\n")) {
  const m = /\b(\w+)\(/.exec(line);
  if (m && line.trim().endsWith(");") && !line.includes(": (")) protos.set(m[1]!, line.trim());
}
const names = [...new Set([...xdp, ...lwt])].sort();
const kfuncs = names.map((name) => {
  const absent = ABSENT[name];
  const prototype = absent?.prototype ?? protos.get(name);
  if (!prototype) throw new Error(`no prototype for ${name}`);
  const { ret, params } = parse(prototype);
  const flags = flagsOf(name);
  return {
    name,
    prototype,
    ret: { ctype: ret, nullable: flags.includes("retNull") },
    params,
    flags,
    progTypes: [...(xdp.has(name) ? ["xdp"] : []), ...(lwt.has(name) ? ["lwt"] : [])],
    ...(absent ? { absentFromKernel: absent.reason } : {}),
  };
});
const out = join(import.meta.dirname, "../stdlib/tables/kfuncs.json");
writeFileSync(out, JSON.stringify(kfuncs, null, 1) + "\n");
console.log(`wrote ${kfuncs.length} kfuncs to ${out}`);
