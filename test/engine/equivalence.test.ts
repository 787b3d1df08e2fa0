/**
 * The engine against the reference interpreter on random programs for every bundled ISA: the same
 * final state (registers, memory, output, halted), the same run status and step count, and the same
 * trap sequence. Seeded and bounded here; `npm run campaign:engine` runs the long campaign
 * (POPEK_ENGINE_RUNS programs per ISA, POPEK_SEED).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { BUNDLED, bundled } from "./bundled.js";
import { differences, runEngine, runInterpreter } from "./compare.js";
import { randomProgram } from "./random-program.js";

const RUNS = Number(process.env.POPEK_ENGINE_RUNS ?? 100);
const SEED = Number(process.env.POPEK_SEED ?? 20260301);
const STEPS = Number(process.env.POPEK_ENGINE_STEPS ?? 200);
/** Only these ISAs (comma-separated), e.g. POPEK_ENGINE_ISAS=s370 for one ISA's campaign. */
const ONLY = process.env.POPEK_ENGINE_ISAS?.split(",") ?? null;

describe.each(BUNDLED.filter((n) => !ONLY || ONLY.includes(n)))("engine equals interpreter on %s", (name) => {
  test(`${RUNS} random programs, ${STEPS} steps each (seed ${SEED})`, () => {
    const isa = bundled(name);
    // One instruction per block; blocks, regions after 16 runs (the default) or never; regions at once.
    const shapes = [{ maxBlock: 1 }, { maxBlock: 64 }, { maxBlock: 64, regionAfter: Infinity }, { maxBlock: 64, regionAfter: 0 }];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(...shapes), (seed, shape) => {
        const p = randomProgram(isa, seed);
        const a = runInterpreter(isa, p.state, STEPS);
        const b = runEngine(isa, p.state, STEPS, shape);
        expect(differences(isa, a, b), `seed ${seed}, ${JSON.stringify(shape)}`).toEqual([]);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, Math.max(120_000, RUNS * 1_000));
});
