// Splits the text of one instruction into tokens that remember their
// column. The operator set is the one in bpf/disasm/syntax.ts plus the
// punctuation of memory operands; `s>`, `s/=`... are single tokens, which is
// why a leading `s` is looked at before identifiers (`s8`, `skb`).

import { AsmError } from "./errors.js";

export type TokenKind = "ident" | "number" | "punct";

export interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based column in the source line. */
  column: number;
}

// Longest first, so `<<=` wins over `<<` and `<`.
const OPERATORS = [
  "s>>=",
  "<<=",
  ">>=",
  "s/=",
  "s%=",
  "s>=",
  "s<=",
  "+=",
  "-=",
  "*=",
  "/=",
  "|=",
  "&=",
  "%=",
  "^=",
  "==",
  "!=",
  ">=",
  "<=",
  "s>",
  "s<",
  "=",
  ">",
  "<",
  "&",
  "(",
  ")",
  "[",
  "]",
  "*",
  ",",
  "+",
  "-",
];

const IDENT = /^[A-Za-z_.$][\w.$]*/;
const NUMBER = /^(0[xX][0-9a-fA-F]+|[0-9]+)\b/;

/** Tokens of `text`, whose first character is at column `startColumn`. */
export function tokenize(text: string, line: number, startColumn: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === " " || ch === "\t") {
      i++;
      continue;
    }
    const column = startColumn + i;
    const rest = text.slice(i);
    const op = OPERATORS.find((o) => rest.startsWith(o));
    const num = NUMBER.exec(rest);
    const ident = IDENT.exec(rest);
    // `s>` is an operator, `s8` an identifier: operators starting with `s` win only when no
    // identifier character follows the `s`.
    if (op && !(op.startsWith("s") && ident && ident[0].length > 1)) {
      tokens.push({ kind: "punct", text: op, column });
      i += op.length;
    } else if (num) {
      tokens.push({ kind: "number", text: num[0], column });
      i += num[0].length;
    } else if (ident) {
      tokens.push({ kind: "ident", text: ident[0], column });
      i += ident[0].length;
    } else {
      throw new AsmError(`unexpected character '${ch}'`, line, column);
    }
  }
  return tokens;
}
