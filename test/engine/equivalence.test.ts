/**
 * The engine against the reference interpreter on random programs for every bundled ISA: the same
 * final state (registers, memory, output, halted), the same run status and step count, and the same
 * trap sequence. Seeded and bounded here; `npm run campaign:engine` runs the long campaign
 * (POPEK_ENGINE_RUNS programs per ISA, POPEK_SEED).
 */
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import type * as IR from "../../src/ir/ir.js";
import { loadSpec } from "../../src/syntax/load.js";
import { differences, runEngine, runInterpreter } from "./compare.js";
import { randomProgram } from "./random-program.js";

const ISAS = resolve(dirname(fileURLToPath(import.meta.url)), "../../isas");
const RUNS = Number(process.env.POPEK_ENGINE_RUNS ?? 100);
const SEED = Number(process.env.POPEK_SEED ?? 20260301);
const STEPS = Number(process.env.POPEK_ENGINE_STEPS ?? 200);

const cache = new Map<string, IR.Isa>();
export function bundled(name: string): IR.Isa {
  if (!cache.has(name)) {
    const checked = checkSpec(loadSpec(join(ISAS, `${name}.isa`)));
    const errors = checked.diagnostics.items.filter((d) => d.severity === "error");
    if (errors.length || !checked.isa) throw new Error(`${name}: spec errors`);
    cache.set(name, checked.isa);
  }
  return cache.get(name)!;
}

describe.each(["pg", "s370", "riscv32", "x86", "armv7"])("engine equals interpreter on %s", (name) => {
  test(`${RUNS} random programs, ${STEPS} steps each (seed ${SEED})`, () => {
    const isa = bundled(name);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(1, 64), (seed, maxBlock) => {
        const p = randomProgram(isa, seed);
        const a = runInterpreter(isa, p.state, STEPS);
        const b = runEngine(isa, p.state, STEPS, { maxBlock });
        expect(differences(isa, a, b), `seed ${seed}, maxBlock ${maxBlock}`).toEqual([]);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, Math.max(120_000, RUNS * 1_000));
});
