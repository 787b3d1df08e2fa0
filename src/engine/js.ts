/**
 * Small syntax objects for the JavaScript the engine generates at run time, and the one printer
 * that turns them into source text. Building code as objects keeps precedence and parentheses in
 * one place (the printer) and makes the output deterministic: the same block always prints the same.
 */

export type JExpr =
  | { readonly k: "id"; readonly name: string }
  | { readonly k: "num"; readonly v: number }
  | { readonly k: "big"; readonly v: bigint }
  | { readonly k: "bool"; readonly v: boolean }
  | { readonly k: "str"; readonly v: string }
  | { readonly k: "bin"; readonly op: string; readonly l: JExpr; readonly r: JExpr }
  | { readonly k: "un"; readonly op: string; readonly e: JExpr }
  | { readonly k: "cond"; readonly c: JExpr; readonly t: JExpr; readonly f: JExpr }
  | { readonly k: "index"; readonly obj: JExpr; readonly at: JExpr }
  | { readonly k: "member"; readonly obj: JExpr; readonly name: string }
  | { readonly k: "call"; readonly fn: JExpr; readonly args: readonly JExpr[] };

export type JStmt =
  | { readonly k: "let"; readonly names: readonly string[] }
  | { readonly k: "assign"; readonly target: JExpr; readonly value: JExpr }
  | { readonly k: "expr"; readonly e: JExpr }
  | { readonly k: "if"; readonly c: JExpr; readonly then: readonly JStmt[]; readonly else: readonly JStmt[] }
  | { readonly k: "label"; readonly label: string; readonly body: readonly JStmt[] }
  | { readonly k: "break"; readonly label: string }
  | { readonly k: "loop"; readonly label: string; readonly body: readonly JStmt[] }
  | { readonly k: "continue"; readonly label: string }
  | { readonly k: "return"; readonly e: JExpr | null }
  | { readonly k: "throw"; readonly e: JExpr }
  | { readonly k: "switch"; readonly on: JExpr; readonly cases: readonly { readonly value: number | null; readonly body: readonly JStmt[] }[] }
  | { readonly k: "try"; readonly body: readonly JStmt[]; readonly finally: readonly JStmt[] }
  | { readonly k: "comment"; readonly text: string };

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export const J = {
  id(name: string): JExpr {
    if (!IDENT.test(name)) throw new Error(`internal: '${name}' is not an identifier`);
    return { k: "id", name };
  },
  num: (v: number): JExpr => ({ k: "num", v }),
  big: (v: bigint): JExpr => ({ k: "big", v }),
  bool: (v: boolean): JExpr => ({ k: "bool", v }),
  str: (v: string): JExpr => ({ k: "str", v }),
  bin: (op: string, l: JExpr, r: JExpr): JExpr => ({ k: "bin", op, l, r }),
  un: (op: string, e: JExpr): JExpr => ({ k: "un", op, e }),
  cond: (c: JExpr, t: JExpr, f: JExpr): JExpr => ({ k: "cond", c, t, f }),
  index: (obj: JExpr, at: JExpr): JExpr => ({ k: "index", obj, at }),
  member: (obj: JExpr, name: string): JExpr => ({ k: "member", obj, name }),
  call: (fn: JExpr, ...args: JExpr[]): JExpr => ({ k: "call", fn, args }),
  assign: (target: JExpr, value: JExpr): JStmt => ({ k: "assign", target, value }),
  expr: (e: JExpr): JStmt => ({ k: "expr", e }),
  if: (c: JExpr, then: readonly JStmt[], els: readonly JStmt[] = []): JStmt => ({ k: "if", c, then, else: els }),
  ret: (e: JExpr | null = null): JStmt => ({ k: "return", e }),
  throw: (e: JExpr): JStmt => ({ k: "throw", e }),
  comment: (text: string): JStmt => ({ k: "comment", text: text.replace(/\*\//g, "* /").replace(/[\r\n\u2028\u2029]+/g, " ") }),
};

/** Whether an expression is a constant or a variable: free to evaluate twice, never changed by a write. */
export function isAtom(e: JExpr): boolean {
  return e.k === "num" || e.k === "id" || e.k === "bool" || e.k === "big";
}

// Binding strength, ECMAScript's order (higher binds tighter).
const PREC: Record<string, number> = {
  "||": 3, "&&": 4, "|": 5, "^": 6, "&": 7, "===": 8, "!==": 8,
  "<": 9, "<=": 9, ">": 9, ">=": 9, "<<": 10, ">>": 10, ">>>": 10, "+": 11, "-": 11, "*": 12, "/": 12, "%": 12,
};

function num(v: number): string {
  if (Object.is(v, -0)) return "0";
  if (v < 0) return `(${v})`;
  return v > 0xffff && Number.isInteger(v) ? `0x${v.toString(16)}` : String(v);
}

/** Prints an expression; `outer` is the precedence of the context (0: none). */
export function printExpr(e: JExpr, outer = 0): string {
  switch (e.k) {
    case "id": return e.name;
    case "num": return num(e.v);
    case "big": return e.v < 0n ? `(-0x${(-e.v).toString(16)}n)` : `0x${e.v.toString(16)}n`;
    case "bool": return String(e.v);
    case "str": return JSON.stringify(e.v);
    case "bin": {
      const p = PREC[e.op];
      if (p === undefined) throw new Error(`internal: operator ${e.op}`);
      // Parenthesize mixed logical/bitwise nesting for clarity, and the right operand of equal precedence.
      const text = `${printExpr(e.l, p)} ${e.op} ${printExpr(e.r, p + 1)}`;
      return p < outer ? `(${text})` : text;
    }
    case "un": {
      const inner = printExpr(e.e, 15);
      // "-" before "-x" must not print as the decrement operator.
      const text = inner.startsWith(e.op) && (e.op === "-" || e.op === "+") ? `${e.op}(${inner})` : `${e.op}${inner}`;
      return 15 < outer ? `(${text})` : text;
    }
    case "cond": {
      const text = `${printExpr(e.c, 3)} ? ${printExpr(e.t, 2)} : ${printExpr(e.f, 2)}`;
      return outer > 1 ? `(${text})` : text;
    }
    case "index": return `${printExpr(e.obj, 20)}[${printExpr(e.at)}]`;
    case "member": return `${printExpr(e.obj, 20)}.${e.name}`;
    case "call": return `${printExpr(e.fn, 20)}(${e.args.map((a) => printExpr(a)).join(", ")})`;
  }
}

function printList(list: readonly JStmt[], indent: string, out: string[]): void {
  for (const s of list) printStmt(s, indent, out);
}

function printStmt(s: JStmt, indent: string, out: string[]): void {
  switch (s.k) {
    case "let":
      if (s.names.length) out.push(`${indent}let ${s.names.join(", ")};`);
      return;
    case "assign":
      out.push(`${indent}${printExpr(s.target)} = ${printExpr(s.value)};`);
      return;
    case "expr":
      out.push(`${indent}${printExpr(s.e)};`);
      return;
    case "if": {
      out.push(`${indent}if (${printExpr(s.c)}) {`);
      printList(s.then, indent + "  ", out);
      let rest = s.else;
      while (rest.length === 1 && rest[0]!.k === "if") {
        const x = rest[0] as JStmt & { k: "if" };
        out.push(`${indent}} else if (${printExpr(x.c)}) {`);
        printList(x.then, indent + "  ", out);
        rest = x.else;
      }
      if (rest.length) {
        out.push(`${indent}} else {`);
        printList(rest, indent + "  ", out);
      }
      out.push(`${indent}}`);
      return;
    }
    case "label":
      out.push(`${indent}${s.label}: {`);
      printList(s.body, indent + "  ", out);
      out.push(`${indent}}`);
      return;
    case "break":
      out.push(`${indent}break ${s.label};`);
      return;
    case "loop":
      out.push(`${indent}${s.label}: for (;;) {`);
      printList(s.body, indent + "  ", out);
      out.push(`${indent}}`);
      return;
    case "continue":
      out.push(`${indent}continue ${s.label};`);
      return;
    case "return":
      out.push(`${indent}return${s.e ? ` ${printExpr(s.e)}` : ""};`);
      return;
    case "throw":
      out.push(`${indent}throw ${printExpr(s.e)};`);
      return;
    case "switch":
      out.push(`${indent}switch (${printExpr(s.on)}) {`);
      for (const c of s.cases) {
        out.push(`${indent}  ${c.value === null ? "default" : `case ${num(c.value)}`}: {`);
        printList(c.body, indent + "    ", out);
        out.push(`${indent}    break;`);
        out.push(`${indent}  }`);
      }
      out.push(`${indent}}`);
      return;
    case "try":
      out.push(`${indent}try {`);
      printList(s.body, indent + "  ", out);
      out.push(`${indent}} finally {`);
      printList(s.finally, indent + "  ", out);
      out.push(`${indent}}`);
      return;
    case "comment":
      out.push(`${indent}// ${s.text}`);
      return;
  }
}

/** Prints statements, one per line, with two-space indentation. */
export function printStmts(list: readonly JStmt[], indent = ""): string {
  const out: string[] = [];
  printList(list, indent, out);
  return out.join("\n");
}
