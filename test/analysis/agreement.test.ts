/**
 * The analyzer's proof obligation: on random tiny ISAs, every classification the solver makes equals
 * brute-force enumeration of all states with the interpreter. Seeded and bounded here; a longer
 * campaign runs with `npm run campaign:agreement` (POPEK_RUNS, POPEK_SEED).
 */
import fc from "fast-check";
import { afterAll, expect, test } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkSpec } from "../../src/check/check.js";
import { renderDiagnostic } from "../../src/syntax/diagnostics.js";
import { loadSpec } from "../../src/syntax/load.js";
import { bruteForce } from "./brute-force.js";
import { randomIsa } from "./random-isa.js";

const RUNS = Number(process.env.POPEK_RUNS ?? 25);
const SEED = Number(process.env.POPEK_SEED ?? 20261121);

afterAll(async () => {
  await shutdownZ3();
});

// Half the cases let concrete search answer existential claims first; the other half leave every
// claim to the solver, so both paths are held to brute force.
test(`solver classification equals brute force on ${RUNS} random ISAs (seed ${SEED})`, async () => {
  await fc.assert(
    fc.asyncProperty(randomIsa, fc.boolean(), async ({ source, semantics }, sampling) => {
      const loaded = loadSpec("random.isa", () => source);
      const checked = checkSpec(loaded);
      const errors = checked.diagnostics.items.filter((d) => d.severity === "error");
      if (errors.length) throw new Error(`generator made an invalid spec:\n${errors.map((d) => renderDiagnostic(d, loaded.sources)).join("\n")}\n${source}`);
      const isa = checked.isa!;
      const config = isa.configs[0]!;
      const a = await analyze(isa, config, { sampleTries: sampling ? 48 : 0 });
      expect(a.internalErrors, `witnesses must replay; semantics:\n${semantics}`).toEqual([]);
      const v = a.instructions[0]!;
      const solver = {
        privileged: v.privileged,
        controlSensitive: v.controlSensitive,
        modeSensitive: v.modeSensitive,
        locationSensitive: v.locationSensitive,
        userSensitive: v.userSensitive,
        timingDependent: v.timingDependent,
        vmmProblem: v.vmmProblem,
      };
      const brute = bruteForce(isa, isa.instructions[0]!, config);
      expect(solver, `semantics:\n${semantics}\nconfig requires: ${config.requires.length}`).toEqual(brute);
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  // A campaign (POPEK_RUNS in the hundreds) outlasts the default test timeout on a loaded machine.
}, Math.max(120_000, RUNS * 10_000));
