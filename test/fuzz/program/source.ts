// The shape of a generated tsbpf source: a tree of statements, so the
// minimizer can drop any line or block and print the rest again. A block is
// `head {` body `}` with an optional `else {` branch; top-level items
// (interfaces, maps, functions, programs) are nodes of the same tree.

export type Node =
  | { kind: "line"; text: string }
  | { kind: "block"; head: string; body: Node[]; orElse?: Node[]; tail?: string };

export const line = (text: string): Node => ({ kind: "line", text });

export function block(head: string, body: Node[], orElse?: Node[], tail?: string): Node {
  return { kind: "block", head, body, ...(orElse ? { orElse } : {}), ...(tail ? { tail } : {}) };
}

/** One XDP program and everything it declares (interfaces, maps, functions), as top-level items. */
export interface Unit {
  /** The exported program's name; every declaration of the unit starts with it. */
  name: string;
  items: Node[];
}

/** One generated source: its import line's names and its programs. */
export interface GenSource {
  imports: string[];
  units: Unit[];
}

function renderNodes(nodes: readonly Node[], indent: string, out: string[]): void {
  for (const n of nodes) {
    if (n.kind === "line") {
      out.push(indent + n.text);
      continue;
    }
    out.push(`${indent}${n.head} {`);
    renderNodes(n.body, indent + "  ", out);
    if (n.orElse) {
      out.push(`${indent}} else {`);
      renderNodes(n.orElse, indent + "  ", out);
    }
    out.push(`${indent}}${n.tail ?? ""}`);
  }
}

export function render(src: GenSource): string {
  const out = [`import { ${src.imports.join(", ")} } from "tsbpf";`, ""];
  for (const u of src.units) renderNodes(u.items, "", out);
  return out.join("\n") + "\n";
}

/** A source with only the named programs (to find which one a failure belongs to). */
export function only(src: GenSource, names: readonly string[]): GenSource {
  return { imports: src.imports, units: src.units.filter((u) => names.includes(u.name)) };
}

/** Deep copy, so minimization trials never share nodes. */
export function cloneSource(src: GenSource): GenSource {
  return JSON.parse(JSON.stringify(src)) as GenSource;
}
