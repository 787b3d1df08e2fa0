/**
 * Shrinks a mismatching program with fast-check: a custom arbitrary whose only value is the program
 * found, and whose shrinker proposes smaller ones (fewer instructions, then zero seeds, then a zero
 * data area). fast-check keeps the smallest program that still mismatches; candidates popek cannot
 * use (they now trap, say) count as passing, so the result is always a usable program.
 */
import fc from "fast-check";
import type { Program, Slot } from "./program.js";

/** The program without slots [from, from + count), branch targets renumbered. */
export function withoutSlots(p: Program, from: number, count: number): Program {
  const slots: Slot[] = [];
  p.slots.forEach((s, i) => {
    if (i >= from && i < from + count) return;
    const t = s.target;
    const target = t === null ? null : t >= from + count ? t - count : t > from ? from : t;
    slots.push({ ...s, target });
  });
  return { ...p, slots };
}

function* candidates(p: Program): Generator<Program> {
  const n = p.slots.length;
  for (let size = n >> 1; size >= 1; size >>= 1) {
    for (let from = 0; from + size <= n; from += size) yield withoutSlots(p, from, size);
  }
  for (let i = 0; i < p.init.length; i++) {
    if (p.init[i] !== 0n) yield { ...p, init: p.init.map((v, k) => (k === i ? 0n : v)) };
  }
  if (p.data.some((b) => b !== 0)) yield { ...p, data: new Uint8Array(p.data.length) };
}

class ProgramShrinks extends fc.Arbitrary<Program> {
  constructor(private readonly found: Program) {
    super();
  }

  generate(): fc.Value<Program> {
    return new fc.Value(this.found, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is Program {
    return false;
  }

  shrink(value: Program): fc.Stream<fc.Value<Program>> {
    return fc.Stream.of(...candidates(value)).map((p) => new fc.Value(p, undefined));
  }
}

/**
 * The smallest program that still fails `mismatches`, starting from one that does (at most
 * `maxChecks` checks: each runs the peer).
 */
export function shrinkProgram(found: Program, mismatches: (p: Program) => boolean, maxChecks = 400): Program {
  let checks = 0;
  const result = fc.check(
    fc.property(new ProgramShrinks(found), (p) => {
      checks++;
      if (checks > maxChecks) return true;
      return !mismatches(p);
    }),
    { numRuns: 1, endOnFailure: false },
  );
  return result.failed && result.counterexample ? result.counterexample[0] : found;
}
