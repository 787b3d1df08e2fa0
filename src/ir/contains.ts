/**
 * Whether IR code, or any function it calls (transitively), contains a node of a given kind: the
 * engine asks whether a tick stores to memory, and whether translate loads from it.
 */
import type * as IR from "./ir.js";

export function containsKind(isa: IR.Isa, body: readonly IR.Stmt[], kind: "load" | "store"): boolean {
  const seen = new Set<number>();
  const visit = (x: unknown): boolean => {
    if (!x || typeof x !== "object") return false;
    if (Array.isArray(x)) return x.some(visit);
    const o = x as { kind?: string; fn?: number };
    if (o.kind === kind) return true;
    if (o.kind === "call" && typeof o.fn === "number" && !seen.has(o.fn)) {
      seen.add(o.fn);
      if (visit(isa.functions[o.fn]!.body)) return true;
    }
    return Object.entries(o).some(([k, v]) => k !== "span" && visit(v));
  };
  return visit(body);
}
