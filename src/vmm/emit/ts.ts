/**
 * Small syntax objects for the TypeScript that `popek vmm generate` writes, and the one printer that
 * turns them into text (as v86 builds its generated interpreter). Generating through objects keeps
 * precedence and indentation right in one place, and names from a spec can only become identifiers
 * through `ident`, which refuses anything that is not one.
 */

export type Expr =
  | { readonly kind: "ident"; readonly name: string }
  | { readonly kind: "raw"; readonly text: string }
  | { readonly kind: "bigint"; readonly value: bigint }
  | { readonly kind: "num"; readonly value: number }
  | { readonly kind: "str"; readonly value: string }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "member"; readonly object: Expr; readonly name: string }
  | { readonly kind: "call"; readonly callee: Expr; readonly args: readonly Expr[] }
  | { readonly kind: "new"; readonly callee: Expr; readonly args: readonly Expr[] }
  | { readonly kind: "binary"; readonly op: string; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "unary"; readonly op: string; readonly operand: Expr }
  | { readonly kind: "cond"; readonly cond: Expr; readonly then: Expr; readonly else: Expr };

export type Stmt =
  | { readonly kind: "let"; readonly name: string; readonly type: string; readonly value: Expr | null; readonly mutable: boolean }
  | { readonly kind: "assign"; readonly target: Expr; readonly value: Expr }
  | { readonly kind: "expr"; readonly expr: Expr }
  | { readonly kind: "if"; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] }
  | { readonly kind: "return"; readonly value: Expr | null }
  | { readonly kind: "throw"; readonly value: Expr }
  | { readonly kind: "comment"; readonly text: string }
  | { readonly kind: "raw"; readonly lines: readonly string[] };

export interface FunctionDecl {
  readonly doc: string | null;
  readonly exported: boolean;
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly type: string }[];
  readonly returns: string;
  readonly body: readonly Stmt[];
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await as async of any boolean never number string symbol unknown bigint undefined".split(" "),
);

/** An identifier; a name that is not one (or is a reserved word) is a bug in the generator. */
export function ident(name: string): Expr {
  if (!IDENT.test(name) || RESERVED.has(name)) throw new Error(`internal: '${name}' is not a safe identifier`);
  return { kind: "ident", name };
}

/** Makes any spec name safe to embed in an identifier (specs allow only [A-Za-z0-9_] anyway). */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

/** Text safe inside a comment: no comment terminator, no line breaks. */
export function commentText(text: string): string {
  return text.replace(/\*\//g, "* /").replace(/[\r\n\u2028\u2029]+/g, " ");
}

export const E = {
  raw: (text: string): Expr => ({ kind: "raw", text }),
  big: (value: bigint): Expr => ({ kind: "bigint", value }),
  num: (value: number): Expr => ({ kind: "num", value }),
  str: (value: string): Expr => ({ kind: "str", value }),
  bool: (value: boolean): Expr => ({ kind: "bool", value }),
  member: (object: Expr, name: string): Expr => {
    if (!IDENT.test(name)) throw new Error(`internal: '${name}' is not a safe property name`);
    return { kind: "member", object, name };
  },
  call: (callee: Expr, ...args: Expr[]): Expr => ({ kind: "call", callee, args }),
  new: (callee: Expr, ...args: Expr[]): Expr => ({ kind: "new", callee, args }),
  bin: (op: string, left: Expr, right: Expr): Expr => ({ kind: "binary", op, left, right }),
  un: (op: string, operand: Expr): Expr => ({ kind: "unary", op, operand }),
  cond: (cond: Expr, then: Expr, els: Expr): Expr => ({ kind: "cond", cond, then, else: els }),
};

// Precedence, loosely following ECMAScript's (higher binds tighter).
const PREC: Record<string, number> = {
  "??": 1, "||": 2, "&&": 3, "|": 4, "^": 5, "&": 6, "===": 7, "!==": 7,
  "<": 8, "<=": 8, ">": 8, ">=": 8, "<<": 9, ">>": 9, "+": 10, "-": 10, "*": 11, "/": 11, "%": 11,
};

function expr(e: Expr, outer = 0): string {
  switch (e.kind) {
    case "ident":
      return e.name;
    case "raw":
      return e.text;
    case "bigint":
      return e.value < 0n ? `(-0x${(-e.value).toString(16)}n)` : e.value < 10n ? `${e.value}n` : `0x${e.value.toString(16)}n`;
    case "num":
      return String(e.value);
    case "str":
      return JSON.stringify(e.value);
    case "bool":
      return String(e.value);
    case "member":
      return `${expr(e.object, 20)}.${e.name}`;
    case "call":
      return `${expr(e.callee, 20)}(${e.args.map((a) => expr(a)).join(", ")})`;
    case "new":
      return `new ${expr(e.callee, 20)}(${e.args.map((a) => expr(a)).join(", ")})`;
    case "binary": {
      const p = PREC[e.op] ?? 0;
      const text = `${expr(e.left, p)} ${e.op} ${expr(e.right, p + 1)}`;
      return p < outer ? `(${text})` : text;
    }
    case "unary": {
      const text = `${e.op}${expr(e.operand, 15)}`;
      return 15 < outer ? `(${text})` : text;
    }
    case "cond": {
      const text = `${expr(e.cond, 1)} ? ${expr(e.then, 1)} : ${expr(e.else, 1)}`;
      return outer > 0 ? `(${text})` : text;
    }
  }
}

function stmts(list: readonly Stmt[], indent: string, out: string[]): void {
  for (const s of list) {
    switch (s.kind) {
      case "let":
        out.push(`${indent}${s.mutable ? "let" : "const"} ${s.name}: ${s.type}${s.value ? ` = ${expr(s.value)}` : ""};`);
        break;
      case "assign":
        out.push(`${indent}${expr(s.target)} = ${expr(s.value)};`);
        break;
      case "expr":
        out.push(`${indent}${expr(s.expr)};`);
        break;
      case "if": {
        out.push(`${indent}if (${expr(s.cond)}) {`);
        stmts(s.then, indent + "  ", out);
        let rest = s.else;
        while (rest.length === 1 && rest[0]!.kind === "if") {
          const x = rest[0] as Stmt & { kind: "if" };
          out.push(`${indent}} else if (${expr(x.cond)}) {`);
          stmts(x.then, indent + "  ", out);
          rest = x.else;
        }
        if (rest.length) {
          out.push(`${indent}} else {`);
          stmts(rest, indent + "  ", out);
        }
        out.push(`${indent}}`);
        break;
      }
      case "return":
        out.push(`${indent}return${s.value ? ` ${expr(s.value)}` : ""};`);
        break;
      case "throw":
        out.push(`${indent}throw ${expr(s.value)};`);
        break;
      case "comment":
        out.push(`${indent}// ${commentText(s.text)}`);
        break;
      case "raw":
        for (const l of s.lines) out.push(`${indent}${l}`);
        break;
    }
  }
}

/** Prints a function declaration. */
export function printFunction(f: FunctionDecl): string {
  const out: string[] = [];
  if (f.doc) out.push(`/** ${commentText(f.doc)} */`);
  out.push(`${f.exported ? "export " : ""}function ${f.name}(${f.params.map((p) => `${p.name}: ${p.type}`).join(", ")}): ${f.returns} {`);
  stmts(f.body, "  ", out);
  out.push("}");
  return out.join("\n");
}

export function printStmts(list: readonly Stmt[], indent = ""): string {
  const out: string[] = [];
  stmts(list, indent, out);
  return out.join("\n");
}

export function printExpr(e: Expr): string {
  return expr(e);
}
