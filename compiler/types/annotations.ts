// Reads tsbpf types back out of TypeScript syntax. The checker erases
// `type u16 = number`, so widths come from the annotation's alias chain, and
// header/struct layouts from interface declarations (field order is the
// layout, with C alignment so they match the kernel's and clang's structs).
// Numeric literals are read from their source text as bigint, never through
// a JS double, so 64-bit constants stay exact.

import {
  Node,
  type TypeNode,
  SyntaxKind,
  type InterfaceDeclaration,
} from "../frontend/ts-morph.js";
import { INT_ALIASES, type IntType } from "./int-type.js";

/** A field's shape inside a struct: a scalar or a fixed array of scalars. */
export type FieldShape =
  { kind: "int"; type: IntType } | { kind: "array"; elem: IntType; length: number };

export interface StructField {
  name: string;
  offset: number;
  shape: FieldShape;
  readonly: boolean;
}

export interface StructLayout {
  name: string;
  size: number;
  align: number;
  fields: Map<string, StructField>;
}

// Answers per annotation node (null: none). They never change within one
// program (a ts-morph node belongs to one), and lowering asks again for every
// use of a name, in each of its up to four passes (ir/let-ranges.ts).
const intTypes = new WeakMap<TypeNode, IntType | null>();
const interfaces = new WeakMap<TypeNode, InterfaceDeclaration | null>();

/** The integer type an annotation names, or undefined when it is not one. */
export function intTypeOfNode(node: TypeNode | undefined): IntType | undefined {
  if (!node) return undefined;
  let known = intTypes.get(node);
  if (known === undefined) intTypes.set(node, (known = findIntType(node) ?? null));
  return known ?? undefined;
}

function findIntType(node: TypeNode | undefined): IntType | undefined {
  for (let depth = 0; node && depth < 16; depth++) {
    if (node.getKind() === SyntaxKind.BooleanKeyword) return INT_ALIASES.get("bool");
    if (Node.isParenthesizedTypeNode(node)) {
      node = node.getTypeNode();
      continue;
    }
    if (!Node.isTypeReference(node)) return undefined;
    const name = node.getTypeName().getText().split(".").pop()!;
    const decl = aliasDeclaration(node);
    if (!decl) return undefined;
    const target = decl.getTypeNode();
    const fromLib = decl.getSourceFile().isDeclarationFile();
    if (INT_ALIASES.has(name) && target && (fromLib || isPrimitiveKeyword(target)))
      return INT_ALIASES.get(name);
    node = target;
  }
  return undefined;
}

function isPrimitiveKeyword(node: TypeNode): boolean {
  const k = node.getKind();
  return (
    k === SyntaxKind.NumberKeyword ||
    k === SyntaxKind.BooleanKeyword ||
    k === SyntaxKind.BigIntKeyword
  );
}

function aliasDeclaration(node: TypeNode) {
  if (!Node.isTypeReference(node)) return undefined;
  let sym = node.getTypeName().getSymbol();
  if (sym?.isAlias()) sym = sym.getAliasedSymbol();
  const decl = sym?.getDeclarations().find((d) => Node.isTypeAliasDeclaration(d));
  return decl && Node.isTypeAliasDeclaration(decl) ? decl : undefined;
}

/** The interface a type annotation names (through imports), if any. */
export function interfaceOfNode(node: TypeNode | undefined): InterfaceDeclaration | undefined {
  if (!node) return undefined;
  let known = interfaces.get(node);
  if (known === undefined) interfaces.set(node, (known = findInterface(node) ?? null));
  return known ?? undefined;
}

function findInterface(node: TypeNode): InterfaceDeclaration | undefined {
  if (!Node.isTypeReference(node)) return undefined;
  let sym = node.getTypeName().getSymbol();
  if (sym?.isAlias()) sym = sym.getAliasedSymbol();
  const decl = sym?.getDeclarations().find((d) => Node.isInterfaceDeclaration(d));
  return decl && Node.isInterfaceDeclaration(decl) ? decl : undefined;
}

function shapeOf(node: TypeNode | undefined): FieldShape | undefined {
  const t = intTypeOfNode(node);
  if (t) return { kind: "int", type: t };
  if (node && Node.isTypeReference(node)) {
    // Bytes<N> and FixedArray<T, N> from the stdlib.
    const name = node.getTypeName().getText();
    const args = node.getTypeArguments();
    const lenNode = name === "Bytes" ? args[0] : name === "FixedArray" ? args[1] : undefined;
    const elem =
      name === "Bytes"
        ? INT_ALIASES.get("u8")
        : name === "FixedArray"
          ? intTypeOfNode(args[0])
          : undefined;
    if (lenNode && elem && Node.isLiteralTypeNode(lenNode)) {
      const length = Number(lenNode.getText());
      if (Number.isInteger(length) && length > 0) return { kind: "array", elem, length };
    }
  }
  if (node && Node.isTupleTypeNode(node)) {
    const elems = node.getElements();
    const first = intTypeOfNode(elems[0] as TypeNode | undefined);
    if (!first || elems.some((e) => intTypeOfNode(e as TypeNode)?.bits !== first.bits))
      return undefined;
    return { kind: "array", elem: first, length: elems.length };
  }
  return undefined;
}

const layoutCache = new WeakMap<InterfaceDeclaration, StructLayout | string>();

/**
 * C layout of an interface: fields in declaration order, each aligned to its
 * element size. Returns the name of the first field without a fixed size
 * instead when the interface cannot be laid out.
 */
export function structLayout(decl: InterfaceDeclaration): StructLayout | string {
  const cached = layoutCache.get(decl);
  if (cached) return cached;
  const fields = new Map<string, StructField>();
  let offset = 0;
  let align = 1;
  let result: StructLayout | string | undefined;
  for (const p of decl.getProperties()) {
    const shape = shapeOf(p.getTypeNode());
    if (!shape) {
      result = p.getName();
      break;
    }
    const elem = shape.kind === "int" ? shape.type : shape.elem;
    const size = elem.bits / 8;
    const count = shape.kind === "array" ? shape.length : 1;
    offset = Math.ceil(offset / size) * size;
    fields.set(p.getName(), { name: p.getName(), offset, shape, readonly: p.isReadonly() });
    offset += size * count;
    align = Math.max(align, size);
  }
  result ??= { name: decl.getName(), size: Math.ceil(offset / align) * align, align, fields };
  layoutCache.set(decl, result);
  return result;
}

/** Exact value of a numeric literal's source text (decimal, hex, octal, binary, `_`). */
export function literalValue(text: string): bigint | undefined {
  // Cached by text: every lowering pass (up to four per function) reads each literal again.
  let v = literalValues.get(text);
  if (v === undefined && !literalValues.has(text)) {
    if (literalValues.size > 10_000) literalValues.clear(); // a long `tsbpf watch` stays bounded
    literalValues.set(text, (v = parseLiteral(text)));
  }
  return v;
}

const literalValues = new Map<string, bigint | undefined>();

function parseLiteral(text: string): bigint | undefined {
  const t = text.replace(/_/g, "").replace(/n$/, "");
  if (/^0[xX][0-9a-fA-F]+$/.test(t) || /^0[bB][01]+$/.test(t) || /^0[oO][0-7]+$/.test(t))
    return BigInt(t);
  if (/^\d+$/.test(t)) return BigInt(t);
  // 1e3 style: accept only when it is an exact integer.
  const m = /^(\d+)[eE]\+?(\d+)$/.exec(t);
  if (m) return BigInt(m[1]!) * 10n ** BigInt(m[2]!);
  return undefined;
}
