// Leaves out of the start-up snapshot the parts of TypeScript that tsbpf can
// never run: the language service's features (completions, code fixes,
// refactors, formatting...), tsserver, the emit transformers, and whatever
// else nothing kept refers to. Every function TypeScript declares becomes
// objects in the snapshot's heap (a closure, its shared info, its name in
// the string table), and deserializing those objects is most of what a
// snapshot start costs, so fewer declarations make every `tsbpf` command
// start faster. 2315 of 5373 top-level statements go: blob 18.2 -> 16.1 MB,
// `tsbpf build parse_v4.ts` 300 -> 270 ms of CPU (15 interleaved runs, load 15).
//
// typescript.js (the copy inside @ts-morph/common) is one esbuild bundle:
// a single function whose body holds every declaration of the compiler,
// region by region (`// src/services/completions.ts`). Those declarations
// are locals of that function, so code can reach one only by naming it, or
// through an exports object (`ts.createProgram`, or `ts_codefix_exports.x`
// inside TypeScript). The trimmed text keeps, until nothing new is reached:
//  - every statement outside the droppable directories (the compiler proper);
//  - a declaration whose name a kept statement mentions (by text, so a
//    mention inside a function that never runs keeps it too);
//  - a statement that calls or assigns something kept (it could change kept
//    state, as services.ts does with `setObjectAllocator`; see effectTargets);
//  - an exports entry (`name: () => local`) once a kept statement, ts-morph
//    or tsbpf uses `name` as an identifier or property name. Nobody indexes
//    those objects with computed names (checked when this was written). An
//    entry whose local was left out throws when read, naming itself.

import { ts } from "ts-morph";

/** The directories whose declarations may be left out. The compiler's own stay. */
const DROPPABLE =
  /^src\/(services|server|jsTyping|typingsInstallerCore|deprecatedCompat|compiler\/transformers)\/|^src\/[^/]+\/_namespaces\//;

/**
 * Exports that ts-morph names but tsbpf's use of it never reaches: ts-morph
 * makes a language service only for a Project or when asked to
 * (`createWrappedNode` passes `createLanguageService: false`, and tsbpf
 * creates no Project). Reading one of them throws (see `__tsbpfTrimmed`).
 */
const NEVER_USED = new Set(["createLanguageService", "createDocumentRegistry"]);

/** esbuild's helpers: a call to one has its first argument as the target. */
const HELPERS = new Set(["__export", "__copyProps", "__toCommonJS", "__defProp"]);

/** The target of a top-level statement whose effect is not a plain call or assignment. */
const UNKNOWN = "(unknown)";

/** One top-level statement of the bundle function. */
interface Unit {
  statement: ts.Statement;
  region: string;
  declares: string[];
  /** Names mentioned anywhere in the statement (outside `entries`). */
  mentions: Set<string>;
  /** Property names the statement reads or writes (`x.name`). */
  props: Set<string>;
  /**
   * For `__export(ns, { name: () => local, ... })`: each entry with what it
   * mentions, which counts only once some kept code uses `name`.
   */
  entries: { property: ts.ObjectLiteralElementLike; name: string; mentions: Set<string> }[];
  /** For a statement with effects: the names its calls and assignments act on. */
  targets: string[] | undefined;
  kept: boolean;
}

export interface TrimResult {
  text: string;
  keptStatements: number;
  droppedStatements: number;
  /** Regions left out whole. */
  droppedRegions: string[];
}

/**
 * typescript.js without the declarations nothing kept reaches; `usedNames`
 * are the identifiers of every other bundled file. Throws if the text is
 * not shaped as expected (the caller then bundles TypeScript whole).
 */
export function trimTypeScript(text: string, usedNames: ReadonlySet<string>): TrimResult {
  const sf = ts.createSourceFile("typescript.js", text, ts.ScriptTarget.ES2022, true);
  const body = bundleBody(sf);
  const units = splitUnits(sf, text, body);
  for (const u of units) collectNames(u);
  if (!units.some((u) => u.region === "src/typescript/typescript.ts" && u.entries.length > 0))
    throw new Error("typescript.js: the exports list was not found");
  const used = new Set([...usedNames].filter((n) => !NEVER_USED.has(n)));

  const owner = new Map<string, Unit>();
  for (const u of units) for (const name of u.declares) owner.set(name, u);
  // Fixpoint: keep what kept statements mention, statements acting on kept
  // state, and the exports entries whose names kept code (or ts-morph, or
  // tsbpf) uses: TypeScript reaches its namespaces' members as `ns.name` too.
  const mentioned = new Set<string>();
  const pending = new Set<Unit>();
  const keep = (u: Unit): void => {
    u.kept = true;
    for (const n of u.mentions) mentioned.add(n);
    for (const n of u.props) used.add(n);
    if (u.entries.length > 0) pending.add(u);
  };
  for (const u of units) if (u.kept) keep(u);
  for (let changed = true; changed;) {
    changed = false;
    for (const u of pending) {
      u.entries = u.entries.filter((e) => {
        if (!used.has(e.name)) return true;
        for (const n of e.mentions) mentioned.add(n);
        changed = true;
        return false;
      });
    }
    for (const u of units) {
      if (u.kept) continue;
      const reached = u.declares.some((n) => mentioned.has(n));
      const acts = u.targets?.some((n) => n === UNKNOWN || owner.get(n)?.kept === true);
      if (!reached && !acts) continue;
      keep(u);
      changed = true;
    }
  }

  const dropped = units.filter((u) => !u.kept);
  const droppedNames = new Set(dropped.flatMap((u) => u.declares));
  const edits: { start: number; end: number; text: string }[] = [];
  for (const u of dropped)
    edits.push({ start: u.statement.getStart(sf), end: u.statement.end, text: "" });
  // Entries never used, of kept namespaces, whose locals are gone: they throw when read.
  for (const u of pending)
    for (const e of u.entries) {
      if (!referencesOnly(e.property, droppedNames)) continue;
      edits.push({
        start: e.property.getStart(sf),
        end: e.property.end,
        text: `${e.name}: () => __tsbpfTrimmed(${JSON.stringify(e.name)})`,
      });
    }
  const trap =
    "\nfunction __tsbpfTrimmed(name) {\n" +
    '  throw new Error("tsbpf\'s start-up snapshot left out TypeScript\'s " + name + "; run dist/compiler/cli/main.js");\n}\n';
  edits.push({ start: body.statements[0]!.end, end: body.statements[0]!.end, text: trap });
  const regions = new Set(units.map((u) => u.region));
  for (const u of units) if (u.kept) regions.delete(u.region);
  return {
    text: applyEdits(text, edits),
    keptStatements: units.length - dropped.length,
    droppedStatements: dropped.length,
    droppedRegions: [...regions],
  };
}

/** Adds the identifiers of a JavaScript text's code (not its comments or strings) to `into`. */
export function identifiersOf(text: string, into: Set<string>): void {
  const sf = ts.createSourceFile("input.js", text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) into.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
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

function splitUnits(sf: ts.SourceFile, text: string, body: ts.Block): Unit[] {
  const units: Unit[] = [];
  let region = "(prelude)";
  for (const st of body.statements) {
    const trivia = text.slice(st.pos, st.getStart(sf));
    const headers = [...trivia.matchAll(/^\/\/ (src\/\S+)$/gm)];
    region = headers[headers.length - 1]?.[1] ?? region;
    const droppable = DROPPABLE.test(region);
    units.push({
      statement: st,
      region,
      declares: declaredNames(st),
      mentions: new Set(),
      props: new Set(),
      entries: [],
      targets: droppable ? effectTargets(st) : undefined,
      kept: !droppable,
    });
  }
  return units;
}

/** The object literal of `__export(ns, {...})`, if `st` is such a call. */
function exportsList(st: ts.Statement): ts.ObjectLiteralExpression | undefined {
  if (!ts.isExpressionStatement(st) || !ts.isCallExpression(st.expression)) return undefined;
  const callee = st.expression.expression;
  const all = st.expression.arguments[1];
  return ts.isIdentifier(callee) &&
    callee.text === "__export" &&
    all &&
    ts.isObjectLiteralExpression(all)
    ? all
    : undefined;
}

function collectNames(u: Unit): void {
  if (isExportAnnotation(u.statement)) return; // `0 && (module.exports = {...})`: never runs
  const into = (mentions: Set<string>) => {
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node)) {
        if (!isPropertyName(node)) mentions.add(node.text);
        else if (ts.isPropertyAccessExpression(node.parent)) u.props.add(node.text);
      }
      ts.forEachChild(node, visit);
    };
    return visit;
  };
  const all = exportsList(u.statement);
  if (!all) return into(u.mentions)(u.statement);
  for (const p of all.properties) {
    const name = p.name && ts.isIdentifier(p.name) ? p.name.text : undefined;
    if (!name) throw new Error("typescript.js: an exports entry without a name");
    const entry = { property: p, name, mentions: new Set<string>() };
    into(entry.mentions)(p);
    u.entries.push(entry);
  }
  const call = (u.statement as ts.ExpressionStatement).expression as ts.CallExpression;
  into(u.mentions)(call.expression); // __export
  if (call.arguments[0]) into(u.mentions)(call.arguments[0]); // the namespace object
}

function declaredNames(st: ts.Statement): string[] {
  if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) return [st.name.text];
  if (!ts.isVariableStatement(st)) return [];
  return st.declarationList.declarations.map((d) => {
    if (!ts.isIdentifier(d.name)) throw new Error("typescript.js: a destructuring declaration");
    return d.name.text;
  });
}

/**
 * What a statement does when it runs, as the names it acts on; undefined
 * for a declaration whose running only defines it. A top-level expression
 * statement acts on what it calls (`registerCodeFix(...)`, which fills that
 * module's table; `setObjectAllocator(...)`) or assigns (`a` of
 * `a.b.c = x`). A declaration acts on what it assigns, and on what the
 * expression statements of a function it calls on the spot act on
 * (`var X = ((X2) => {...})(X || {})`); the calls in its initializer are
 * taken to only compute its value (`var rules = memoize(...)`).
 */
function effectTargets(st: ts.Statement): string[] | undefined {
  const declaration =
    ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isVariableStatement(st);
  if (!declaration && !ts.isExpressionStatement(st)) return [UNKNOWN]; // `if`, loops...
  if (ts.isFunctionDeclaration(st)) return undefined;
  const targets: string[] = [];
  const base = (e: ts.Node): void => {
    while (
      ts.isPropertyAccessExpression(e) ||
      ts.isElementAccessExpression(e) ||
      ts.isParenthesizedExpression(e) ||
      ts.isNonNullExpression(e)
    )
      e = e.expression;
    if (ts.isIdentifier(e)) targets.push(e.text);
    else if (!isFreshValue(e)) targets.push(UNKNOWN);
  };
  const visit = (node: ts.Node, callsAct: boolean): void => {
    if (ts.isClassStaticBlockDeclaration(node)) targets.push(UNKNOWN);
    if (ts.isFunctionLike(node)) return; // runs later, if ever; called on the spot below
    if (ts.isExpressionStatement(node)) {
      visit(node.expression, true); // the statement's own call; those in its arguments compute values
      return;
    }
    if (ts.isCallExpression(node)) {
      let callee: ts.Node = node.expression;
      while (ts.isParenthesizedExpression(callee)) callee = callee.expression;
      if (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee))
        ts.forEachChild(callee.body, (n) => visit(n, false));
      else if (ts.isIdentifier(callee) && HELPERS.has(callee.text))
        base(node.arguments[0] ?? callee);
      else if (callsAct || !ts.isIdentifier(callee)) base(callee);
      ts.forEachChild(node, (n) => visit(n, false));
      return;
    } else if (ts.isBinaryExpression(node) && isAssignment(node.operatorToken.kind)) {
      base(node.left);
    } else if (
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
      (node.operator === ts.SyntaxKind.PlusPlusToken ||
        node.operator === ts.SyntaxKind.MinusMinusToken)
    ) {
      base(node.operand);
    } else if (ts.isDeleteExpression(node)) {
      base(node.expression);
    }
    // `a, f()` and `x && f()` run their calls as the statement's own.
    const passes = ts.isBinaryExpression(node) || ts.isParenthesizedExpression(node);
    ts.forEachChild(node, (n) => visit(n, callsAct && passes));
  };
  visit(st, false);
  return declaration && targets.length === 0 ? undefined : targets;
}

/** A value made on the spot (a literal, or a call's result: its callee is looked at anyway). */
function isFreshValue(e: ts.Node): boolean {
  return (
    ts.isCallExpression(e) ||
    ts.isNewExpression(e) ||
    ts.isLiteralExpression(e) ||
    ts.isArrayLiteralExpression(e) ||
    ts.isObjectLiteralExpression(e) ||
    ts.isTemplateExpression(e)
  );
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
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
