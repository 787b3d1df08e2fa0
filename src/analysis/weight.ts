/**
 * How much work an instruction's analysis is likely to be, for the order the worker pool takes them
 * in: the size of its semantics, counting every IR node of the body and of each function it can
 * reach (translate included) once. The pool starts the largest first, so that the last instructions
 * to finish are small ones and both workers stay busy to the end (in the library's order x86's far
 * transfers came last, and one worker finished them alone).
 */
import type * as IR from "../ir/ir.js";
import { walkReachable } from "../ir/walk.js";

const weights = new WeakMap<IR.Instruction, number>();

export function analysisWeight(isa: IR.Isa, instr: IR.Instruction): number {
  let w = weights.get(instr);
  if (w === undefined) {
    w = 0;
    walkReachable(isa, instr.body, () => w!++, isa.translate === null ? [] : [isa.translate]);
    weights.set(instr, w);
  }
  return w;
}
