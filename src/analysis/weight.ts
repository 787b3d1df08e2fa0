/**
 * How much work an instruction's analysis is likely to be, for the order the worker pool takes them
 * in: the size of its semantics, counting every IR node of the body and of each function it can
 * reach (translate included) once. The pool starts the largest first, so that the last instructions
 * to finish are small ones and both workers stay busy to the end (in the library's order x86's far
 * transfers came last, and one worker finished them alone).
 */
import type * as IR from "../ir/ir.js";

const weights = new WeakMap<IR.Instruction, number>();

export function analysisWeight(isa: IR.Isa, instr: IR.Instruction): number {
  let w = weights.get(instr);
  if (w !== undefined) return w;
  const seen = new Set<number>();
  let nodes = 0;
  const visit = (v: unknown): void => {
    if (!v || typeof v !== "object") return;
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    const o = v as { kind?: unknown; fn?: unknown };
    if (typeof o.kind === "string") nodes++;
    if (o.kind === "call" && typeof o.fn === "number" && !seen.has(o.fn)) {
      seen.add(o.fn);
      visit(isa.functions[o.fn]!.body);
    }
    for (const [k, x] of Object.entries(o)) if (k !== "span" && k !== "type") visit(x);
  };
  visit(instr.body);
  if (isa.translate !== null && !seen.has(isa.translate)) {
    seen.add(isa.translate);
    visit(isa.functions[isa.translate]!.body);
  }
  weights.set(instr, (w = nodes));
  return w;
}
