/**
 * The constants an instruction's semantics compare against, by width: a fuzzer's dictionary. A field
 * drawn uniformly almost never equals the one value a comparison wants (RISC-V's CSR number: about
 * 170 of 4,096 exist, so 48 random CSRRW words found no control write in M mode, and the solver had
 * to); drawn from this dictionary half the time, it often does.
 */
import type * as IR from "../ir/ir.js";

const COMPARISONS: ReadonlySet<IR.BinOp> = new Set(["eq", "ne", "ult", "ule", "ugt", "uge", "slt", "sle", "sgt", "sge"]);

/** Width → the distinct constants compared with an expression of that width, in the body and every function it calls. */
export function comparedConstants(isa: IR.Isa, body: readonly IR.Stmt[]): Map<number, bigint[]> {
  const found = new Map<number, Set<bigint>>();
  const seen = new Set<number>();
  // Zero and all-ones are left out: Rng.interesting draws them often anyway, and a register field
  // compared with zero (RISC-V's "rs1 == x0") would otherwise be zero half the time.
  const note = (e: IR.Expr): void => {
    if (e.kind !== "const" || e.value === 0n || e.value === (1n << BigInt(e.width)) - 1n) return;
    let set = found.get(e.width);
    if (!set) found.set(e.width, (set = new Set()));
    set.add(e.value);
  };
  const expr = (e: IR.Expr): void => {
    if (e.kind === "binary" && COMPARISONS.has(e.op)) {
      note(e.left);
      note(e.right);
    }
    if (e.kind === "call" && !seen.has(e.fn)) {
      seen.add(e.fn);
      stmts(isa.functions[e.fn]!.body);
    }
    for (const v of Object.values(e)) {
      if (v && typeof v === "object" && "kind" in v) expr(v as IR.Expr);
      if (Array.isArray(v)) for (const x of v) if (x && typeof x === "object" && "kind" in x) expr(x as IR.Expr);
    }
  };
  const stmts = (ss: readonly IR.Stmt[]): void => {
    for (const s of ss) {
      for (const v of Object.values(s)) {
        if (v && typeof v === "object" && "kind" in v) expr(v as IR.Expr);
        if (Array.isArray(v)) for (const x of v) {
          if (Array.isArray(x)) stmts(x as IR.Stmt[]);
          else if (x && typeof x === "object" && "kind" in x) ("span" in x ? stmts([x as IR.Stmt]) : expr(x as IR.Expr));
        }
      }
    }
  };
  stmts(body);
  return new Map([...found].map(([w, set]) => [w, [...set].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))]));
}
