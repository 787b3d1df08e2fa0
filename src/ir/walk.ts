/**
 * Every statement and expression that a piece of IR can run: its own and those of every function it
 * calls, transitively, each function once. The analyses that only look at nodes, whatever their
 * place (the constants compared, the `either`s a run may choose at, the size of the semantics), walk
 * with this.
 */
import type * as IR from "./ir.js";

export type IrNode = IR.Stmt | IR.Expr;

/** Calls visit on each node of body and of the functions it calls (and of `also`, e.g. translate), each function once. */
export function walkReachable(isa: IR.Isa, body: readonly IR.Stmt[], visit: (node: IrNode) => void, also: readonly number[] = []): void {
  const seen = new Set<number>();
  const fn = (id: number): void => {
    if (seen.has(id)) return;
    seen.add(id);
    walk(isa.functions[id]!.body);
  };
  const walk = (x: unknown): void => {
    if (!x || typeof x !== "object") return;
    if (Array.isArray(x)) {
      for (const y of x) walk(y);
      return;
    }
    const o = x as { kind?: unknown; fn?: unknown };
    if (typeof o.kind !== "string") return;
    visit(o as IrNode);
    if (o.kind === "call" && typeof o.fn === "number") fn(o.fn);
    // Types ({ kind: "bits" }) and source spans are not nodes. (for-in: Object.entries made an
    // array of pairs per node, and the analysis walks every instruction's semantics several times.)
    for (const k in o) if (k !== "span" && k !== "type") walk((o as Record<string, unknown>)[k]);
  };
  walk(body);
  for (const id of also) fn(id);
}
