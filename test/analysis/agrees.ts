/**
 * One small spec's first instruction, classified by the analyzer and by brute force: the witnesses
 * replay and the two agree. The regression tests of cases the agreement campaign found use it.
 */
import { expect } from "vitest";
import { analyze, type AnalyzeOptions } from "../../src/analysis/analyze.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";
import { bruteForce, solverFlags } from "./brute-force.js";

export async function expectBruteForceAgreement(source: string, options: AnalyzeOptions): Promise<void> {
  const isa = checkSpec(loadSpec("case.isa", () => source)).isa!;
  const config = isa.configs[0]!;
  const a = await analyze(isa, config, options);
  expect(a.internalErrors).toEqual([]);
  expect(solverFlags(a.instructions[0]!)).toEqual(bruteForce(isa, isa.instructions[0]!, config));
}
