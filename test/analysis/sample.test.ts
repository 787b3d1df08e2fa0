/**
 * The concrete search draws states the machine can be in: every drawn value fits its register, and
 * guest-level states meet the configuration.
 */
import { expect, test } from "vitest";
import { changedResults, controlChanges, samePresentation } from "../../src/analysis/compare.js";
import type { ReplayOutcome } from "../../src/analysis/replay.js";
import { Rng, seedOf, StateSampler } from "../../src/analysis/sample.js";
import { stateSets } from "../../src/analysis/state-sets.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";

test("interesting values fit their width (regression: small values reached 15 in a 1-bit register, and a concrete location witness the definition refutes was accepted)", () => {
  const rng = new Rng(20261201);
  for (const width of [1, 2, 3, 5, 32]) {
    for (let i = 0; i < 2000; i++) expect(rng.interesting(width) < 1n << BigInt(width)).toBe(true);
  }
});

test("a guest-level search meets the configuration's `register.field == constant` requirements (regression: x86's umip configuration requires CR4.UMIP == 1, which almost no drawn state held, so every instruction went to the solver)", () => {
  const isa = checkSpec(loadSpec("isas/x86.isa")).isa!;
  const config = isa.configs.find((c) => c.name === "umip")!;
  const mov = isa.instructions.find((i) => i.name === "MOV")!;
  const sampler = new StateSampler(isa, mov, config, stateSets(isa));
  const found = sampler.search({ level: "guest", want: (o) => o.trap === null, tries: 48 }, new Rng(1));
  expect(found).not.toBeNull();
  const cr4 = isa.state.find((e) => e.name === "CR4")!;
  expect(found!.concrete.state.reg(cr4.id) & 1n << 11n).toBe(1n << 11n);
});

test("drawn states give the memory the instruction reads random contents (S/370's D: with zero memory every drawn divide overflowed or divided by zero, and the solver had to find a state in which it completes)", () => {
  const isa = checkSpec(loadSpec("isas/s370.isa")).isa!;
  const config = isa.configs[0]!;
  const d = isa.instructions.find((i) => i.name === "D")!;
  const sampler = new StateSampler(isa, d, config, stateSets(isa));
  const found = sampler.search({ level: "guest", want: (o) => o.trap === null, tries: 48 }, new Rng(seedOf("D/guest")));
  expect(found).not.toBeNull();
  expect(found!.outcome.executed).toBe("D");
});

test("a location pair's second state changes control state the first run read, several times for a rare run (x86 LSL at the guest level: no pair in 2,000 draws that redrew one random control element or all of them; its descriptor-table register is one of the few cells LSL reads)", () => {
  const isa = checkSpec(loadSpec("isas/x86.isa")).isa!;
  const config = isa.configs.find((c) => c.name === "classic")!;
  const lsl = isa.instructions.find((i) => i.name === "LSL")!;
  const sampler = new StateSampler(isa, lsl, config, stateSets(isa));
  const pair = sampler.searchLocationPair(768, new Rng(seedOf("LSL/x")), "guest");
  expect(pair).not.toBeNull();
  const [a, b] = pair!;
  expect(samePresentation(isa, a.outcome, b.outcome)).toBe(true);
  // One of the two found a visible descriptor and loaded its limit.
  expect([...changedResults(isa, a.outcome), ...changedResults(isa, b.outcome)].some((r) => r.startsWith("R["))).toBe(true);
});

test("instruction fields are drawn from the constants the semantics compare them with (RISC-V CSRRW: about 170 of the 4,096 CSR numbers exist, and 48 uniform draws found no control write)", () => {
  const isa = checkSpec(loadSpec("isas/riscv32.isa")).isa!;
  const config = isa.configs[0]!;
  const csrrw = isa.instructions.find((i) => i.name === "CSRRW")!;
  const sampler = new StateSampler(isa, csrrw, config, stateSets(isa));
  const changes = (o: ReplayOutcome) => o.trap === null && controlChanges(isa, o).length > 0;
  expect(sampler.search({ level: "any", want: changes, tries: 48 }, new Rng(seedOf("CSRRW/control")))).not.toBeNull();
});

test("register fields the semantics compare with constants are drawn as those constants half the time (ARM's exception return from an SPSR that names no mode is UNDEFINED: 48 draws found no LDM (exception return) that changes control state)", () => {
  const isa = checkSpec(loadSpec("isas/armv7.isa")).isa!;
  const config = isa.configs[0]!;
  const ldm = isa.instructions.find((i) => i.name === "LDM_ERET")!;
  const sampler = new StateSampler(isa, ldm, config, stateSets(isa));
  const changes = (o: ReplayOutcome) => o.trap === null && controlChanges(isa, o).length > 0;
  expect(sampler.search({ level: "any", want: changes, tries: 48 }, new Rng(seedOf("LDM_ERET/control")))).not.toBeNull();
});

test("the mutational search reaches rare runs by changing what earlier runs read (x86 LAR at the guest level: a run that finds a visible descriptor and writes its destination - from one drawn run, 96 mutants find one for most seeds, 96 draws for a third)", () => {
  const isa = checkSpec(loadSpec("isas/x86.isa")).isa!;
  const config = isa.configs.find((c) => c.name === "classic")!;
  const lar = isa.instructions.find((i) => i.name === "LAR")!;
  const sampler = new StateSampler(isa, lar, config, stateSets(isa));
  const writes = (o: ReplayOutcome) => changedResults(isa, o).some((r) => r.startsWith("R["));
  let mutated = 0;
  let drawn = 0;
  for (let k = 0; k < 20; k++) {
    const rng = new Rng(100 + k);
    const seed = sampler.search({ level: "guest", want: (o) => o.trap === null, tries: 48 }, rng);
    const found = sampler.fuzz([seed], "guest", 96, 96, rng, (x) => (writes(x.outcome) ? x : null));
    if (found) {
      mutated++;
      // A mutant is a state of the wanted kind: at the guest level, the instruction completing.
      expect(sampler.shows(found, { level: "guest", want: (o) => o.trap === null })).toBe(true);
    }
    if (sampler.search({ level: "guest", want: (o) => o.trap === null && writes(o), tries: 96 }, new Rng(200 + k))) drawn++;
  }
  expect(mutated).toBeGreaterThanOrEqual(15);
  expect(drawn).toBeLessThan(10);
});
