/**
 * Integer expressions in assembly operands and directives: numbers, labels, `.` (the current
 * address), unary minus and ~, + - * / % << >> & | ^ and parentheses, with C precedence.
 * The parser is greedy and stops at the first character that cannot continue an expression,
 * so `8(sp)` reads as 8 followed by the text "(sp)".
 */

export interface ExprResult {
  readonly value: bigint;
  /** Characters consumed. */
  readonly length: number;
  /** Labels the expression used that are not (yet) defined. */
  readonly unresolved: readonly string[];
}

const LEVELS: readonly (readonly string[])[] = [["|"], ["^"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/", "%"]];

export function parseAsmExpr(text: string, start: number, symbols: ReadonlyMap<string, bigint>, here: bigint): ExprResult | null {
  let pos = start;
  const unresolved: string[] = [];
  const ws = () => {
    while (pos < text.length && (text[pos] === " " || text[pos] === "\t")) pos++;
  };

  const primary = (): bigint | null => {
    ws();
    const rest = text.slice(pos);
    let m: RegExpExecArray | null;
    if ((m = /^0x[0-9a-fA-F_]+/.exec(rest)) || (m = /^0b[01_]+/.exec(rest)) || (m = /^[0-9][0-9_]*/.exec(rest))) {
      pos += m[0].length;
      return BigInt(m[0].replace(/_/g, ""));
    }
    if ((m = /^[A-Za-z_.$][A-Za-z0-9_.$]*/.exec(rest))) {
      if (m[0] === ".") {
        pos += 1;
        return here;
      }
      pos += m[0].length;
      const v = symbols.get(m[0]);
      if (v === undefined) {
        unresolved.push(m[0]);
        return 0n;
      }
      return v;
    }
    if (rest.startsWith("(")) {
      const save = pos;
      pos++;
      const v = level(0);
      ws();
      if (v === null || text[pos] !== ")") {
        pos = save;
        return null;
      }
      pos++;
      return v;
    }
    return null;
  };

  const unary = (): bigint | null => {
    ws();
    if (text[pos] === "-" || text[pos] === "~" || text[pos] === "+") {
      const op = text[pos++];
      const v = unary();
      if (v === null) return null;
      return op === "-" ? -v : op === "~" ? ~v : v;
    }
    return primary();
  };

  const level = (k: number): bigint | null => {
    if (k === LEVELS.length) return unary();
    let left = level(k + 1);
    if (left === null) return null;
    for (;;) {
      ws();
      const op = LEVELS[k]!.find((o) => text.startsWith(o, pos) && !(o.length === 1 && "<>".includes(o)));
      if (!op) return left;
      const save = pos;
      pos += op.length;
      const right = level(k + 1);
      if (right === null) {
        pos = save;
        return left;
      }
      left = apply(op, left, right);
    }
  };

  const v = level(0);
  if (v === null) return null;
  return { value: v, length: pos - start, unresolved };
}

function apply(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case "|": return a | b;
    case "^": return a ^ b;
    case "&": return a & b;
    case "<<": return a << b;
    case ">>": return a >> b;
    case "+": return a + b;
    case "-": return a - b;
    case "*": return a * b;
    case "/": return b === 0n ? 0n : a / b;
    default: return b === 0n ? 0n : a % b;
  }
}
