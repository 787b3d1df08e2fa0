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
  // control and user-control: the one-state questions that went to the solver. No location question
  // did, nor "completes above the guest level": the control witness (at ring 0) shows that too. The
  // mode pair may take one query (whether the search finds it around the solver's states depends on
  // the models the solver gives), the location query alone took 4.6 M units.
  expect(v.queries).toBeLessThanOrEqual(3);
  expect(v.units).toBeLessThan(3_000_000);
  // The pair differs in control state the run read (which elements depends on the solver's states:
  // another CS selector, or the descriptor table moved with the stack segment).
  const w = v.evidence.find((x) => x.claim === "user-location-sensitive")!;
  expect(w.replayed).toBe(true);
  expect(w.differences.some((d) => /^initial (CS|SS|GDTR)$/.test(d.what))).toBe(true);
});

test("a guest-level location pair is looked for around mutants of the runs found (x86 VERR: every drawn run cleared ZF; a mutant sets it, and a second state with another descriptor table clears it - no pair query; the solver's novel runs took 0.9 M units, the location query alone 2.0 M)", async () => {
  const isa = checkSpec(loadSpec("isas/x86.isa")).isa!;
  const a = await analyze(isa, isa.configs.find((c) => c.name === "classic")!, { only: ["VERR"] });
  const v = a.instructions[0]!;
  expect(v.userSensitive).toBe(true);
  const w = v.evidence.find((x) => x.claim === "user-location-sensitive")!;
  expect(w.replayed).toBe(true);
  expect(w.differences.some((d) => d.what === "result AFLAGS")).toBe(true);
  expect(v.units).toBeLessThan(300_000);
});

test("a location pair whose second run reads its tables elsewhere is tried with the same tables there (x86 LTR at ring 0: a valid TSS descriptor at both places, which no second state drawn has; the solver took 2.3 M units)", async () => {
  const isa = checkSpec(loadSpec("isas/x86.isa")).isa!;
  const a = await analyze(isa, isa.configs.find((c) => c.name === "classic")!, { only: ["LTR"] });
  const v = a.instructions[0]!;
  expect(v.locationSensitive).toBe(true);
  const w = v.evidence.find((x) => x.claim === "location-sensitive")!;
  expect(w.replayed).toBe(true);
  expect(w.differences.some((d) => d.what === "initial GDTR")).toBe(true);
  expect(v.units).toBeLessThan(500_000);
});

test("a timing dependency is looked for concretely first: a guest-level run and the same state at another time (S/370's STCK: no query at all; it was the solver's)", async () => {
  const isa = checkSpec(loadSpec("isas/s370.isa")).isa!;
  const a = await analyze(isa, isa.configs[0]!, { only: ["STCK"] });
  const v = a.instructions[0]!;
  expect(v.timingDependent).toBe(true);
  const w = v.evidence.find((x) => x.claim === "timing-dependent")!;
  expect(w.replayed).toBe(true);
  expect(w.states.map((s) => s.label)).toEqual(["a", "b"]);
  expect(v.queries).toBe(0);
});
