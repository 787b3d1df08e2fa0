/**
 * The global symbol table the checker builds before it looks inside any body: constants, state,
 * memory, functions, causes, operand kinds and formats. Bodies are then lowered against it.
 */
import type * as A from "../syntax/ast.js";
import type { DiagnosticBag } from "../syntax/diagnostics.js";
import type { Span } from "../syntax/source.js";
import type * as IR from "../ir/ir.js";

export interface ConstValue {
  readonly value: bigint;
  /** null: an unsized constant that takes its width from context, like a literal. */
  readonly width: number | null;
}

export interface BankedAlias {
  readonly name: string;
  readonly width: number;
  readonly selector: IR.Expr;
  /** Storage element per bank; values null is the default bank. */
  readonly banks: readonly { readonly element: number; readonly values: readonly bigint[] | null }[];
  readonly span: Span;
}

export interface Hardwire {
  readonly element: number;
  /** Register-file entry, or null for a single register. */
  readonly index: bigint | null;
  readonly hi: number;
  readonly lo: number;
  readonly value: bigint;
}

export interface FunctionSig {
  readonly id: number;
  readonly decl: A.Decl & { kind: "function" };
  readonly params: readonly { readonly name: string; readonly type: IR.Type }[];
  readonly result: IR.Type | null;
}

export interface Globals {
  readonly diagnostics: DiagnosticBag;
  readonly consts: Map<string, ConstValue & { span: Span }>;
  readonly elements: IR.StateElement[];
  readonly elementByName: Map<string, number>;
  readonly banked: Map<string, BankedAlias>;
  readonly hardwires: Hardwire[];
  memory: IR.Memory | null;
  vaddrWidth: number;
  readonly functions: Map<string, FunctionSig>;
  readonly causes: Map<string, IR.Cause>;
  trapEntry: { readonly decl: A.Decl & { kind: "trapEntry" }; readonly causeWidth: number; readonly infoWidth: number | null } | null;
  readonly operandKinds: Map<string, A.Decl & { kind: "operand" }>;
  readonly formats: Map<string, A.Decl & { kind: "format" }>;
  /** Names declared anywhere at the top level, for duplicate detection. */
  readonly topNames: Map<string, Span>;
  /** Things used at least once, for unused warnings. */
  readonly used: Set<string>;
}

export function newGlobals(diagnostics: DiagnosticBag): Globals {
  return {
    diagnostics,
    consts: new Map(),
    elements: [],
    elementByName: new Map(),
    banked: new Map(),
    hardwires: [],
    memory: null,
    vaddrWidth: 0,
    functions: new Map(),
    causes: new Map(),
    trapEntry: null,
    operandKinds: new Map(),
    formats: new Map(),
    topNames: new Map(),
    used: new Set(),
  };
}

/** Built-in constants: the access kinds passed to `translate`. */
export const BUILTIN_CONSTS: ReadonlyMap<string, ConstValue> = new Map([
  ["READ", { value: 0n, width: 2 }],
  ["WRITE", { value: 1n, width: 2 }],
  ["FETCH", { value: 2n, width: 2 }],
]);

/**
 * Evaluates a constant expression (literals, constants, arithmetic on them). Returns null and
 * reports E0306 when the expression is not constant.
 */
export function evalConst(g: Globals, e: A.Expr, report = true, loopVars?: ReadonlyMap<string, bigint>): ConstValue | null {
  const fail = (): null => {
    if (report) g.diagnostics.error("E0306", "this must be a constant: a literal, a 'const' name, or arithmetic on them", e.span);
    return null;
  };
  switch (e.kind) {
    case "num":
      return { value: e.value, width: e.width };
    case "name": {
      const lv = loopVars?.get(e.name);
      if (lv !== undefined) return { value: lv, width: null };
      const c = g.consts.get(e.name) ?? BUILTIN_CONSTS.get(e.name);
      if (c) {
        g.used.add(e.name);
        return { value: c.value, width: c.width };
      }
      return fail();
    }
    case "unary": {
      const v = evalConst(g, e.operand, report, loopVars);
      if (!v) return null;
      if (e.op === "-") return { value: v.width === null ? -v.value : mask(-v.value, v.width), width: v.width };
      if (e.op === "~") return v.width === null ? fail() : { value: mask(~v.value, v.width), width: v.width };
      return fail();
    }
    case "binary": {
      const l = evalConst(g, e.left, report, loopVars);
      const r = evalConst(g, e.right, report, loopVars);
      if (!l || !r) return null;
      const width = e.op === "<<" || e.op === ">>" ? l.width : l.width ?? r.width;
      let v: bigint;
      switch (e.op) {
        case "+": v = l.value + r.value; break;
        case "-": v = l.value - r.value; break;
        case "*": v = l.value * r.value; break;
        case "/": if (r.value === 0n) return fail(); v = l.value / r.value; break;
        case "%": if (r.value === 0n) return fail(); v = l.value % r.value; break;
        case "&": v = l.value & r.value; break;
        case "|": v = l.value | r.value; break;
        case "^": v = l.value ^ r.value; break;
        case "<<":
        case ">>": {
          // A huge shift amount would build a gigantic bigint and throw a RangeError ("Maximum BigInt
          // size exceeded"; found while fuzzing the front end, regression in test/syntax/fuzz.test.ts). A sized value
          // shifted past its width is 0; an unsized one that large is no sensible constant.
          const up = e.op === "<<" ? r.value : -r.value;
          if (up > 65_536n) {
            if (width !== null) {
              v = 0n;
              break;
            }
            if (report) g.diagnostics.error("E0305", `shifting by ${r.value} makes a constant too large`, e.span);
            return null;
          }
          v = up >= 0n ? l.value << up : l.value >> -up;
          break;
        }
        default: return fail();
      }
      return { value: width === null ? v : mask(v, width), width };
    }
    default:
      return fail();
  }
}

/** Evaluates a constant that must be a non-negative whole number (a width, an index, a count). */
export function evalNat(g: Globals, e: A.Expr, what: string, loopVars?: ReadonlyMap<string, bigint>): number | null {
  const v = evalConst(g, e, true, loopVars);
  if (!v) return null;
  if (v.value < 0n || v.value > 1_000_000_000n) {
    g.diagnostics.error("E0305", `${what} must be a whole number, not ${v.value}`, e.span);
    return null;
  }
  return Number(v.value);
}

/** The two's-complement value of v in `width` bits, as an unsigned bigint. */
export function mask(v: bigint, width: number): bigint {
  return BigInt.asUintN(width, v);
}

/** True when v (possibly negative) can be written in `width` bits, signed or unsigned. */
export function fits(v: bigint, width: number): boolean {
  if (width <= 0) return false;
  const max = (1n << BigInt(width)) - 1n;
  const min = -(1n << BigInt(width - 1));
  return v >= min && v <= max;
}
