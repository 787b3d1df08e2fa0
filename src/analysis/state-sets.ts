/**
 * Which state elements play which part in the definitions: control (the resources), timing (written
 * by the spec's tick: time, which equivalence may differ in), banked storage, and the elements the
 * privilege mode is read from. All derived from the IR, never declared by hand beyond user/control.
 */
import type * as IR from "../ir/ir.js";

export interface StateSets {
  readonly control: ReadonlySet<number>;
  /** Elements the tick block writes: they change with time alone. */
  readonly timing: ReadonlySet<number>;
  /** Storage of banked registers. */
  readonly banked: ReadonlySet<number>;
  /** Elements (and their bits) the privilege mode is read from. */
  readonly mode: ReadonlyMap<number, { readonly hi: number; readonly lo: number }>;
}

export function stateSets(isa: IR.Isa): StateSets {
  const control = new Set(isa.state.filter((e) => e.role === "control").map((e) => e.id));
  const banked = new Set(isa.state.filter((e) => e.bankOf !== null).map((e) => e.id));
  const timing = new Set<number>();
  if (isa.tick !== null) collectWrites(isa, isa.functions[isa.tick]!.body, timing, new Set());
  const mode = new Map<number, { hi: number; lo: number }>();
  modeBits(isa.privilege.element, mode);
  return { control, timing, banked, mode };
}

function collectWrites(isa: IR.Isa, stmts: readonly IR.Stmt[], out: Set<number>, seen: Set<number>): void {
  const visitExpr = (e: IR.Expr): void => {
    if (e.kind === "call" && !seen.has(e.fn)) {
      seen.add(e.fn);
      collectWrites(isa, isa.functions[e.fn]!.body, out, seen);
    }
    for (const v of Object.values(e)) {
      if (v && typeof v === "object" && "kind" in v) visitExpr(v as IR.Expr);
      if (Array.isArray(v)) for (const x of v) if (x && typeof x === "object" && "kind" in x) visitExpr(x as IR.Expr);
    }
  };
  for (const s of stmts) {
    if (s.kind === "setReg" || s.kind === "setRegFile") out.add(s.element);
    if (s.kind === "if") {
      visitExpr(s.cond);
      collectWrites(isa, s.then, out, seen);
      collectWrites(isa, s.else, out, seen);
      continue;
    }
    if (s.kind === "either") {
      for (const b of s.branches) collectWrites(isa, b, out, seen);
      continue;
    }
    for (const v of Object.values(s)) if (v && typeof v === "object" && "kind" in v) visitExpr(v as IR.Expr);
  }
}

function modeBits(e: IR.Expr, out: Map<number, { hi: number; lo: number }>): void {
  if (e.kind === "reg") out.set(e.element, { hi: e.width - 1, lo: 0 });
  else if (e.kind === "slice" && e.value.kind === "reg") out.set(e.value.element, { hi: e.hi, lo: e.lo });
  else if (e.kind === "slice") modeBits(e.value, out);
  else if (e.kind === "concat") for (const p of e.parts) modeBits(p, out);
}

