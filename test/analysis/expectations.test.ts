/**
 * `expect T fails [list]` is three-valued: a problem list that misses only instructions the solver
 * could not decide is inconclusive, not wrong (regression: under load a timeout on one of x86's
 * problem instructions made the spec's expectation "fail").
 */
import { afterAll, expect, test } from "vitest";
import { analyze, checkExpectations, decideTheorems } from "../../src/analysis/analyze.js";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";

afterAll(async () => {
  await shutdownZ3();
});

test("a problem list missing only undecided instructions is inconclusive; one with a wrong member fails", async () => {
  const isa = checkSpec(loadSpec("isas/pg-flawed.isa")).isa!;
  const config = isa.configs[0]!;
  const a = await analyze(isa, config);
  const listed = (xs: readonly ReturnType<typeof checkExpectations>[number][]) => xs.find((e) => e.text.startsWith("expect vmm fails"))!;
  expect(listed(a.expectations).holds).toBe(true);
  // RETU undecided: the list [RETU] may still be right.
  const undecided = a.instructions.map((v) => (v.name === "RETU" ? { ...v, vmmProblem: "inconclusive" as const } : v));
  // ... and another instruction a problem: now the list is known to be wrong.
  const wrong = undecided.map((v) => (v.name === "LD" ? { ...v, vmmProblem: true as const } : v));
  const e1 = listed(checkExpectations(isa, config, undecided, decideTheorems(undecided, true)));
  expect(e1.holds).toBe("inconclusive");
  const e2 = listed(checkExpectations(isa, config, wrong, decideTheorems(wrong, true)));
  expect(e2.holds).toBe(false);
  expect(e2.actual).toMatch(/fails \[LD\], undecided \[RETU\]/);
});
