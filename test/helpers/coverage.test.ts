// The coverage table of the seeds' XDP and LWT helper and kfunc lists
// (runtime/helpers/COVERAGE.md) is generated from the registries the runtime
// really uses; this test fails when the file is stale. Regenerate with
// TSBPF_WRITE_COVERAGE=1 npx vitest run test/helpers/coverage.test.ts.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { describe, expect, it } from "vitest";
import { statusOf, type Status } from "../../runtime/helpers/coverage.js";
import { FAMILY_HELPERS, FAMILY_KFUNCS } from "../../runtime/helpers/families.js";
import { HELPERS_IMPL, KFUNCS_IMPL } from "../../runtime/helpers/index.js";
import { coreHelpers } from "../../runtime/helpers/core.js";

const DATA = "/work/shared/data";
const FILE = new URL("../../runtime/helpers/COVERAGE.md", import.meta.url);

/** Names the kernel differential tests (xdp-kernel, lwt-kernel) call and compare. */
const KERNEL_COMPARED = new Set([
  "bpf_csum_diff",
  "bpf_xdp_adjust_tail",
  "bpf_xdp_adjust_meta",
  "bpf_xdp_adjust_head",
  "bpf_xdp_get_buff_len",
  "bpf_xdp_load_bytes",
  "bpf_xdp_store_bytes",
  "bpf_loop",
  "bpf_strncmp",
  "bpf_snprintf",
  "bpf_map_update_elem",
  "bpf_map_lookup_elem",
  "bpf_dynptr_from_xdp",
  "bpf_dynptr_slice",
  "bpf_dynptr_slice_rdwr",
  "bpf_dynptr_size",
  "bpf_dynptr_adjust",
  "bpf_dynptr_read",
  "bpf_dynptr_write",
  "bpf_iter_num_new",
  "bpf_iter_num_next",
  "bpf_iter_num_destroy",
  "bpf_redirect",
  "bpf_check_mtu",
  "bpf_fib_lookup",
  "bpf_l3_csum_replace",
  "bpf_l4_csum_replace",
  "bpf_skb_change_head",
  "bpf_skb_change_tail",
  "bpf_skb_load_bytes",
  "bpf_skb_store_bytes",
  "bpf_skb_pull_data",
  "bpf_csum_level",
  "bpf_csum_update",
  "bpf_get_route_realm",
  "bpf_get_cgroup_classid",
  "bpf_skb_get_tunnel_key",
  "bpf_skb_get_tunnel_opt",
  "bpf_skb_set_tunnel_opt",
  "bpf_clone_redirect",
  // conntrack-kernel.test.ts (bpf_ct_set_timeout's effect is not read back: jiffies differ)
  "bpf_xdp_ct_lookup",
  "bpf_xdp_ct_alloc",
  "bpf_ct_insert_entry",
  "bpf_ct_release",
  "bpf_ct_change_timeout",
  "bpf_ct_set_status",
  "bpf_ct_change_status",
  "bpf_ct_set_nat_info",
  "bpf_probe_read_kernel",
  "bpf_probe_read_kernel_dynptr",
  "bpf_probe_read_kernel_str_dynptr",
  "bpf_probe_read_user_dynptr",
  "bpf_probe_read_user_str_dynptr",
  // test/maps/user-ringbuf-kernel.test.ts
  "bpf_user_ringbuf_drain",
  // workqueue-kernel.test.ts
  "bpf_wq_init",
  "bpf_wq_set_callback_impl",
  "bpf_wq_start",
  // graph-kernel.test.ts
  "bpf_obj_new_impl",
  "bpf_obj_drop_impl",
  "bpf_refcount_acquire_impl",
  "bpf_percpu_obj_new_impl",
  "bpf_percpu_obj_drop_impl",
  "bpf_list_push_front_impl",
  "bpf_list_push_back_impl",
  "bpf_list_pop_front",
  "bpf_list_pop_back",
  "bpf_rbtree_add_impl",
  "bpf_rbtree_first",
  "bpf_rbtree_remove",
  "bpf_throw",
  "bpf_per_cpu_ptr",
  "bpf_this_cpu_ptr",
  // kern-ctx-kernel.test.ts (bpf_stream_vprintk: error paths only, so not listed)
  "bpf_cast_to_kern_ctx",
  // simulated-kernel.test.ts (bpf_jiffies64: the rate it advances at, CONFIG_HZ)
  "bpf_probe_read_kernel_str",
  "bpf_probe_read_user_str",
  "bpf_jiffies64",
  // snprintf-btf-kernel.test.ts (vmlinux types; pointers with BTF_F_PTR_RAW or NULL)
  "bpf_snprintf_btf",
  // cgroups-kernel.test.ts (real cgroup ids configured in the world)
  "bpf_cgrp_storage_get",
  "bpf_cgrp_storage_delete",
  "bpf_get_current_cgroup_id",
  "bpf_get_current_ancestor_cgroup_id",
  "bpf_get_current_task_btf",
  "bpf_cgroup_from_id",
  "bpf_cgroup_acquire",
  "bpf_cgroup_ancestor",
  "bpf_cgroup_release",
  "bpf_task_under_cgroup",
  // dynptr-frags-kernel.test.ts (the others above are also compared there, over frags)
  "bpf_dynptr_clone",
  // map-fields-kernel.test.ts (special fields freed when a value goes)
  "bpf_kptr_xchg",
  "bpf_map_delete_elem",
  "bpf_spin_lock",
  "bpf_spin_unlock",
  // skb-cgroup-kernel.test.ts (real cgroups in a cgroup array)
  "bpf_skb_under_cgroup",
  // kfunc-refused-kernel.test.ts: the kernel refuses them
  "__bpf_trap",
  "crash_kexec",
]);

function list(file: string): string[] {
  return readFileSync(`${DATA}/${file}`, "utf8")
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A note as one table cell: a `|` would end the cell (GFM tables take `\|` as a literal bar). */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function render(): { text: string; counts: Record<string, Record<Status, number>> } {
  const sections: [string, string[], typeof HELPERS_IMPL][] = [
    ["XDP helpers", list("helpers-xdp.txt"), HELPERS_IMPL],
    ["LWT helpers", list("helpers-lwt.txt"), HELPERS_IMPL],
    ["XDP kfuncs", list("kfuncs-xdp.txt"), KFUNCS_IMPL],
    ["LWT kfuncs", list("kfuncs-lwt.txt"), KFUNCS_IMPL],
  ];
  const counts: Record<string, Record<Status, number>> = {};
  let body = "";
  for (const [title, names, registry] of sections) {
    const c: Record<Status, number> = { implemented: 0, simulated: 0, refused: 0, missing: 0 };
    let rows = "";
    for (const name of names) {
      const { status, note } = statusOf(registry, name);
      c[status]++;
      const k = KERNEL_COMPARED.has(name) ? "yes" : "";
      rows += `| ${name} | ${status} | ${k} | ${cell(note)} |\n`;
    }
    counts[title] = c;
    const summary = Object.entries(c)
      .map(([s, n]) => `${n} ${s}`)
      .join(", ");
    body += `\n## ${title} (${names.length}: ${summary})\n\n`;
    body += "| name | status | compared with the kernel | note |\n|---|---|---|---|\n" + rows;
  }
  const text =
    "# Helper and kfunc coverage\n\n" +
    "Generated by test/helpers/coverage.test.ts from the runtime's registries and the seeds'\n" +
    "lists (/work/shared/data/{helpers,kfuncs}-{xdp,lwt}.txt); do not edit by hand.\n" +
    "implemented: kernel semantics; simulated: a documented stand-in (no kernel objects\n" +
    "exist in the runtime); refused: sleepable, so the verifier never accepts it in XDP/LWT\n" +
    "programs (calling it faults); missing: calling it faults with the reason shown.\n" +
    body;
  return { text, counts };
}

describe("helper coverage", () => {
  it("COVERAGE.md matches the registries", async () => {
    // Formatted as prettier would, so `prettier --write .` leaves it unchanged.
    const options = (await resolveConfig(fileURLToPath(FILE))) ?? {};
    const text = await format(render().text, { ...options, parser: "markdown" });
    if (process.env.TSBPF_WRITE_COVERAGE) writeFileSync(FILE, text);
    expect(readFileSync(FILE, "utf8")).toBe(text);
  });

  it("no family defines a name another family (or core) already defines", () => {
    const seen = new Map<string, number>();
    const families = [coreHelpers, ...FAMILY_HELPERS];
    families.forEach((f, i) => {
      for (const name of Object.keys(f)) {
        // bpf_loop is replaced on purpose (the kernel's inlined -E2BIG, see util.ts).
        if (seen.has(name) && name !== "bpf_loop") throw new Error(`${name} defined twice`);
        seen.set(name, i);
      }
    });
    const kseen = new Set<string>();
    for (const f of FAMILY_KFUNCS) {
      for (const name of Object.keys(f)) {
        expect(kseen.has(name), name).toBe(false);
        kseen.add(name);
      }
    }
  });

  it("every name of the seeds' lists has an entry (implemented, simulated or a fault)", () => {
    for (const file of ["helpers-xdp.txt", "helpers-lwt.txt"]) {
      for (const n of list(file)) expect(HELPERS_IMPL[n], n).toBeDefined();
    }
    for (const file of ["kfuncs-xdp.txt", "kfuncs-lwt.txt"]) {
      for (const n of list(file)) expect(KFUNCS_IMPL[n], n).toBeDefined();
    }
  });
});
