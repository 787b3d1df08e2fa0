/**
 * Shrinks a mismatching difftest program (src/programs/shrink.ts, fast-check): fewer instructions,
 * then zero seeds, then a zero data area. Candidates popek cannot use (they now trap, say) count as
 * passing, so the result is always a usable program.
 */
import { removals, withoutSlots as remove } from "../programs/layout.js";
import { shrinkCase } from "../programs/shrink.js";
import type { Program } from "./program.js";

/** The program without slots [from, from + count), branch targets renumbered. */
export function withoutSlots(p: Program, from: number, count: number): Program {
  return { ...p, slots: remove(p.slots, from, count) };
}

function* candidates(p: Program): Generator<Program> {
  for (const slots of removals(p.slots)) yield { ...p, slots };
  for (let i = 0; i < p.init.length; i++) {
    if (p.init[i] !== 0n) yield { ...p, init: p.init.map((v, k) => (k === i ? 0n : v)) };
  }
  if (p.data.some((b) => b !== 0)) yield { ...p, data: new Uint8Array(p.data.length) };
}

/**
 * The smallest program that still fails `mismatches`, starting from one that does (at most
 * `maxChecks` checks: each runs the peer).
 */
export function shrinkProgram(found: Program, mismatches: (p: Program) => boolean, maxChecks = 400): Program {
  return shrinkCase(found, candidates, mismatches, maxChecks);
}
