/**
 * readsModeBits: whether an instruction's run may read a bit the privilege mode is read from (the
 * classifier builds no mode pair for one that cannot).
 */
import { expect, test } from "vitest";
import { readsModeBits, stateSets } from "../../src/analysis/state-sets.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";

const reads = (file: string, names: string[]) => {
  const isa = checkSpec(loadSpec(file)).isa!;
  const sets = stateSets(isa);
  return names.map((n) => readsModeBits(isa, sets, isa.instructions.find((i) => i.name === n)!));
};

test("S/370's problem-state instructions never read the PSW's problem-state bit, its privileged ones do", () => {
  expect(reads("isas/s370.isa", ["LR", "MVC", "CLC", "A"])).toEqual([false, false, false, false]);
  expect(reads("isas/s370.isa", ["LPSW", "SSK", "STCTL"])).toEqual([true, true, true]);
});

test("a register passed on whole counts as read in every bit (x86's translate hands CS to a function), and a banked read reads the mode (ARM)", () => {
  expect(reads("isas/x86.isa", ["ADD", "NOP"])).toEqual([true, true]);
  expect(reads("isas/armv7.isa", ["ADD", "MOV"])).toEqual([true, true]);
});
