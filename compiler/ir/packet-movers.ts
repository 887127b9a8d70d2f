// Whether a call to a local function may move packet data: its body (or a
// local function it calls, transitively) calls a CHANGES_PACKET helper, raw
// (`bpf_xdp_adjust_head(ctx, -4)`) or through a context method
// (`ctx.adjustHead(-4)`). The caller's header views are stale after such a
// call (TSB3010), as after the helper itself. The scan is syntactic and so
// errs on the side of "moves": a method of that name on anything counts.

import { type FunctionDeclaration, Node, SyntaxKind } from "../frontend/ts-morph.js";
import { CHANGES_PACKET } from "../types/kernel-facts.js";
import { declarationOf, type ModuleInfo } from "./lower-context.js";
import { METHODS } from "./lower-ctx-methods.js";

const MOVING_METHODS = new Set(
  Object.entries(METHODS)
    .filter(([, helper]) => CHANGES_PACKET.has(helper))
    .map(([method]) => method),
);

const cache = new WeakMap<FunctionDeclaration, string | null>();

/** The packet-moving call `fn` makes (e.g. "ctx.adjustHead", "pop() -> ctx.adjustHead"), or undefined. */
export function packetMoverIn(
  fn: FunctionDeclaration,
  info: ModuleInfo,
  visiting = new Set<FunctionDeclaration>(),
): string | undefined {
  const known = cache.get(fn);
  if (known !== undefined) return known ?? undefined;
  if (visiting.has(fn)) return undefined; // recursion is reported elsewhere
  visiting.add(fn);
  let found: string | undefined;
  for (const call of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (Node.isPropertyAccessExpression(callee) && MOVING_METHODS.has(callee.getName())) {
      found = `${callee.getExpression().getText()}.${callee.getName()}`;
      break;
    }
    if (!Node.isIdentifier(callee)) continue;
    const decl = declarationOf(callee);
    if (!decl || !Node.isFunctionDeclaration(decl)) continue;
    if (info.isStdlib(decl) && CHANGES_PACKET.has(decl.getName() ?? "")) {
      found = decl.getName();
      break;
    }
    const inner = info.localFunctions.has(decl) ? packetMoverIn(decl, info, visiting) : undefined;
    if (inner) {
      found = `${decl.getName()}() -> ${inner}`;
      break;
    }
  }
  visiting.delete(fn);
  cache.set(fn, found ?? null);
  return found;
}
