// Reads bpf-helpers(7) in its roff source into plain records: for each helper the C
// signature and the Description/Return text, with roff markup turned into light markdown
// (so an editor's hover renders it). Used only by scripts/stdlib-import-helpers.ts.

export interface ManEntry {
  signature: string;
  description: string;
  returns: string;
}

/** Inline roff escapes and font changes -> text; \fB..\fP -> `..`, \fI..\fP -> *..*. */
export function roffInline(s: string): string {
  return s
    .replace(/\\fB([^\\]*?)\\fP/g, (_m, t: string) => (t.trim() ? "`" + t + "`" : t))
    .replace(/\\fI([^\\]*?)\\fP/g, (_m, t: string) => (t.trim() ? "*" + t + "*" : t))
    .replace(/\\f[BIPR]/g, "")
    .replace(/\\\(dq/g, '"')
    .replace(/\\\(aq/g, "'")
    .replace(/\\\(bu/g, "-")
    .replace(/\\&/g, "")
    .replace(/\\-/g, "-")
    .replace(/\\e/g, "\\")
    .replace(/\\\\/g, "\\");
}

export function parseHelpersMan(roff: string): ManEntry[] {
  const lines = roff.split("\n");
  const start = lines.findIndex((l) => l === ".SH HELPERS");
  const end = lines.findIndex((l, i) => i > start && l.startsWith(".SH "));
  const out: ManEntry[] = [];
  let depth = 0;
  let cur: ManEntry | null = null;
  let section: "description" | "returns" | null = null;
  let pendingTP = false;
  let inCode = false;
  const put = (text: string) => {
    if (cur && section) cur[section] += text;
  };
  for (const line of lines.slice(start + 1, end)) {
    if (inCode) {
      if (line === ".EE") {
        inCode = false;
        put("```\n\n");
      } else put(roffInline(line) + "\n");
      continue;
    }
    if (line.startsWith(".INDENT")) depth++;
    else if (line.startsWith(".UNINDENT")) depth--;
    else if (line === ".TP") pendingTP = true;
    else if (line.startsWith(".B ") && pendingTP) {
      pendingTP = false;
      const text = line.slice(3);
      if (depth === 1) {
        cur = { signature: rawSignature(text), description: "", returns: "" };
        out.push(cur);
        section = null;
      } else if (depth === 2 && (text === "Description" || text === "Return")) {
        section = text === "Description" ? "description" : "returns";
      } else put("\n\n- " + roffInline(text) + ": ");
    } else if (line === ".sp") put("\n\n");
    else if (line.startsWith(".IP")) put("\n- ");
    else if (line === ".EX") {
      inCode = true;
      put("\n\n```\n");
    } else if (line.startsWith(".")) continue;
    else put(roffInline(line) + " ");
  }
  return out.map((e) => ({ ...e, description: tidy(e.description), returns: tidy(e.returns) }));
}

/** The signature is `\fBlong bpf_x(struct a *\fP\fIname\fP\fB, u32\fP \fIsize\fP\fB)\fP`. */
function rawSignature(s: string): string {
  return s
    .replace(/\\f[BIP]/g, "")
    .replace(/\\-/g, "-")
    .replace(/\\&/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

function tidy(s: string): string {
  return s
    .split("\n")
    .map((l) => l.replace(/[ \t]+$/g, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
