/**
 * The concrete search before the solver: pairs found around the states already found.
 */
import { afterAll, expect, test } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";

afterAll(async () => {
  await shutdownZ3();
});

test("a location pair is looked for around the states the solver found, changing one field of a control register the run read (x86's far call at the guest level: no drawn state completes; around the solver's, another CS selector is pushed - the location query took 4.6 M units)", async () => {
  const isa = checkSpec(loadSpec("isas/x86.isa")).isa!;
  const a = await analyze(isa, isa.configs.find((c) => c.name === "classic")!, { only: ["CALL_FAR"] });
  const v = a.instructions[0]!;
  expect(v.locationSensitive).toBe(true);
  // control, user-control, above: the one-state questions; no pair question went to the solver.
  expect(v.queries).toBe(3);
  expect(v.evidence.find((w) => w.claim === "user-location-sensitive")?.differences.some((d) => d.what === "initial CS")).toBe(true);
});
