// Leaves out of the start-up snapshot the parts of TypeScript that tsbpf can
// never run: the language service's features (completions, code fixes,
// refactors, formatting...), tsserver, and whatever else nothing kept refers
// to. Every function TypeScript declares becomes an object in the snapshot's
// heap (a closure, its shared info, its name in the string table), and
// deserializing those objects is most of what a snapshot start costs, so
// fewer declarations make every `tsbpf` command start faster. It leaves out
// 104 of 268 regions (code fixes, refactors, tsserver): blob 18.2 -> 16.9 MB,
// about 10 ms of CPU per command (of ~170 for `tsbpf --version`). Most of the
// language service stays: ts-morph names `createLanguageService`, which
// mentions nearly all of it.
//
// typescript.js (the copy inside @ts-morph/common) is one esbuild bundle:
// a single function whose body holds every declaration of the compiler,
// region by region (`// src/services/completions.ts`). Those declarations
// are locals of that function, so code can reach one only by naming it, or
// through the exports object (`ts.createProgram`). The trimmed text keeps:
//  - every region outside the droppable directories (the compiler proper);
//  - any region that declares a name a kept statement mentions, until
//    nothing new is reached (identifiers are compared by text, so a
//    mention inside a function that never runs keeps a region too);
//  - any region with a top-level statement that calls or assigns
//    something a kept region declares (it could change kept state, as
//    services.ts does with `setObjectAllocator`);
//  - the exports whose names appear anywhere in the other bundled code
//    (ts-morph, tsbpf), which is how they use TypeScript: nobody indexes
//    `ts` with a computed name (checked when this was written). An export
//    whose region was left out throws when read, naming itself.

import { ts } from "ts-morph";

/** The directories whose regions may be left out. The compiler's own stay. */
const DROPPABLE =
  /^src\/(services|server|jsTyping|typingsInstallerCore|deprecatedCompat|compiler\/transformers)\/|^src\/[^/]+\/_namespaces\//;

/** esbuild's helpers: a call to one has its first argument as the target. */
const HELPERS = new Set(["__export", "__copyProps", "__toCommonJS", "__defProp"]);

/** The target of a top-level statement whose effect is not a plain call or assignment. */
const UNKNOWN = "(unknown)";

interface Region {
  name: string;
  statements: ts.Statement[];
  declares: Set<string>;
  /** Names mentioned anywhere in the region's statements. */
  mentions: Set<string>;
  /** Names its top-level calls and assignments act on. */
  targets: Set<string>;
  kept: boolean;
}

export interface TrimResult {
  text: string;
  keptRegions: number;
  droppedRegions: string[];
}

/**
 * typescript.js without the regions nothing kept reaches; `usedNames` are
 * the identifiers of every other bundled file. Throws if the text is not
 * shaped as expected (the caller then bundles TypeScript whole).
 */
export function trimTypeScript(text: string, usedNames: ReadonlySet<string>): TrimResult {
  const sf = ts.createSourceFile("typescript.js", text, ts.ScriptTarget.ES2022, true);
  const body = bundleBody(sf);
  const regions = splitRegions(sf, text, body);
  const exportsCall = regions
    .filter((r) => r.name === "src/typescript/typescript.ts")
    .flatMap((r) => r.statements)
    .map(publicExports)
    .find((o) => o !== undefined);
  if (!exportsCall) throw new Error("typescript.js: the exports list was not found");

  const owner = new Map<string, Region>();
  for (const r of regions) for (const name of r.declares) owner.set(name, r);
  for (const r of regions) {
    r.kept = !DROPPABLE.test(r.name);
    collectNames(r, exportsCall, usedNames);
  }
  // Fixpoint: keep what kept regions mention, and regions acting on kept state.
  const mentioned = new Set<string>();
  for (const r of regions) if (r.kept) for (const n of r.mentions) mentioned.add(n);
  for (let changed = true; changed;) {
    changed = false;
    for (const r of regions) {
      if (r.kept) continue;
      const reached = [...r.declares].some((n) => mentioned.has(n));
      const acts = [...r.targets].some((n) => n === UNKNOWN || owner.get(n)?.kept === true);
      if (!reached && !acts) continue;
      r.kept = changed = true;
      for (const n of r.mentions) mentioned.add(n);
    }
  }

  const dropped = regions.filter((r) => !r.kept);
  const droppedNames = new Set(dropped.flatMap((r) => [...r.declares]));
  const edits: { start: number; end: number; text: string }[] = [];
  for (const r of dropped)
    for (const st of r.statements) edits.push({ start: st.getStart(sf), end: st.end, text: "" });
  for (const p of exportsCall.properties) {
    const name = p.name && ts.isIdentifier(p.name) ? p.name.text : undefined;
    if (!name || usedNames.has(name) || !referencesOnly(p, droppedNames)) continue;
    edits.push({
      start: p.getStart(sf),
      end: p.end,
      text: `${name}: () => __tsbpfTrimmed(${JSON.stringify(name)})`,
    });
  }
  const trap =
    "\nfunction __tsbpfTrimmed(name) {\n" +
    '  throw new Error("tsbpf\'s start-up snapshot left out TypeScript\'s " + name + "; run dist/compiler/cli/main.js");\n}\n';
  edits.push({ start: body.statements[0]!.end, end: body.statements[0]!.end, text: trap });
  return {
    text: applyEdits(text, edits),
    keptRegions: regions.length - dropped.length,
    droppedRegions: dropped.map((r) => r.name),
  };
}

/** The statements of `((module) => { ... })(...)`, the bundle's one function. */
function bundleBody(sf: ts.SourceFile): ts.Block {
  for (const st of sf.statements) {
    if (!ts.isExpressionStatement(st) || !ts.isCallExpression(st.expression)) continue;
    let callee: ts.Node = st.expression.expression;
    while (ts.isParenthesizedExpression(callee)) callee = callee.expression;
    if (ts.isArrowFunction(callee) && ts.isBlock(callee.body)) return callee.body;
  }
  throw new Error("typescript.js: the bundle function was not found");
}

function splitRegions(sf: ts.SourceFile, text: string, body: ts.Block): Region[] {
  const regions: Region[] = [];
  let current: Region | undefined;
  for (const st of body.statements) {
    const trivia = text.slice(st.pos, st.getStart(sf));
    const headers = [...trivia.matchAll(/^\/\/ (src\/\S+)$/gm)];
    const header = headers[headers.length - 1]?.[1];
    if (header || !current) {
      current = {
        name: header ?? "(prelude)",
        statements: [],
        declares: new Set(),
        mentions: new Set(),
        targets: new Set(),
        kept: true,
      };
      regions.push(current);
    }
    current.statements.push(st);
  }
  return regions;
}

/** The object literal of `__export(typescript_exports, {...})`, if `st` is that call. */
function publicExports(st: ts.Statement): ts.ObjectLiteralExpression | undefined {
  if (!ts.isExpressionStatement(st) || !ts.isCallExpression(st.expression)) return undefined;
  const [target, all] = st.expression.arguments;
  return target && ts.isIdentifier(target) && target.text === "typescript_exports" && all
    ? ts.isObjectLiteralExpression(all)
      ? all
      : undefined
    : undefined;
}

function collectNames(
  r: Region,
  exportsCall: ts.ObjectLiteralExpression,
  usedNames: ReadonlySet<string>,
): void {
  for (const st of r.statements) {
    if (isExportAnnotation(st)) continue; // `0 && (module.exports = {...})`: never runs
    declaredNames(st, r.declares);
    const target = actedOn(st);
    if (target) r.targets.add(target);
    const visit = (node: ts.Node): void => {
      if (node === exportsCall) {
        // An export counts as a mention only when other code uses its name.
        for (const p of exportsCall.properties) {
          const name = p.name && ts.isIdentifier(p.name) ? p.name.text : undefined;
          if (name && usedNames.has(name)) visit(p);
        }
        return;
      }
      if (ts.isIdentifier(node) && !isPropertyName(node)) r.mentions.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(st);
  }
}

function declaredNames(st: ts.Statement, into: Set<string>): void {
  if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name)
    into.add(st.name.text);
  if (ts.isVariableStatement(st))
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name)) throw new Error("typescript.js: a destructuring declaration");
      into.add(d.name.text);
    }
}

/** What a top-level expression statement calls or assigns (its base identifier). */
function actedOn(st: ts.Statement): string | undefined {
  if (!ts.isExpressionStatement(st)) return undefined;
  let e: ts.Node = st.expression;
  if (ts.isCallExpression(e)) {
    const callee = e.expression;
    if (ts.isIdentifier(callee) && HELPERS.has(callee.text)) e = e.arguments[0] ?? callee;
    else e = callee;
  } else if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    e = e.left;
  } else return UNKNOWN; // an `if` or other statement: treat as acting on kept state
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = e.expression;
  return ts.isIdentifier(e) ? e.text : UNKNOWN;
}

function isExportAnnotation(st: ts.Statement): boolean {
  return (
    ts.isExpressionStatement(st) &&
    ts.isBinaryExpression(st.expression) &&
    ts.isNumericLiteral(st.expression.left) &&
    st.expression.left.text === "0"
  );
}

/** `x.name`, `{ name: ... }`, `name() {}` and the like: a property, not a variable. */
function isPropertyName(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p)) return p.name === id;
  if (ts.isShorthandPropertyAssignment(p)) return false;
  return (
    (ts.isPropertyAssignment(p) ||
      ts.isMethodDeclaration(p) ||
      ts.isPropertyDeclaration(p) ||
      ts.isGetAccessorDeclaration(p) ||
      ts.isSetAccessorDeclaration(p)) &&
    p.name === id
  );
}

/** Whether an exports entry (`name: () => local`) names only dropped locals. */
function referencesOnly(p: ts.Node, dropped: ReadonlySet<string>): boolean {
  let only = true;
  let any = false;
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && !isPropertyName(node)) {
      any = true;
      if (!dropped.has(node.text)) only = false;
    }
    ts.forEachChild(node, visit);
  };
  if (ts.isPropertyAssignment(p)) visit(p.initializer);
  else if (ts.isShorthandPropertyAssignment(p)) visit(p.name);
  return any && only;
}

function applyEdits(text: string, edits: { start: number; end: number; text: string }[]): string {
  edits.sort((a, b) => a.start - b.start);
  let out = "";
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}
