/**
 * Reading a model: many terms evaluated together give what each gives alone. Translating a concrete
 * state's addresses.
 */
import { afterAll, expect, test } from "vitest";
import { modelValue, modelValues, translateIn, translatorOf } from "../../src/analysis/replay.js";
import { checkSpec } from "../../src/check/check.js";
import { MachineState } from "../../src/machine/state.js";
import { loadSpec } from "../../src/syntax/load.js";
import { checkSat, shutdownZ3, withFreshZ3, type B, type BV } from "../../src/analysis/z3.js";

afterAll(async () => {
  await shutdownZ3();
});

test("modelValues reads bit-vectors of every width and booleans (as 0 or 1) in one evaluation, as one at a time would", async () => {
  await withFreshZ3(async (Z) => {
    const x = Z.BitVec.const("x", 32);
    const y = Z.BitVec.const("y", 5);
    const p = Z.Bool.const("p");
    const m = Z.Array.const("m", Z.BitVec.sort(32), Z.BitVec.sort(8));
    const s = new Z.Solver();
    s.add(x.mul(Z.BitVec.val(3, 32)).eq(Z.BitVec.val(0x1234567, 32)), y.ugt(Z.BitVec.val(17, 5)), Z.Not(p), m.select(x).eq(Z.BitVec.val(0xa5, 8)));
    expect(checkSat(s)).toBe("sat");
    const model = s.model();
    const free = Z.BitVec.const("unconstrained", 7);
    const terms = [x, p, y, Z.Not(p), m.select(x), x.extract(7, 0), free, y.zeroExt(27).add(x)] as unknown as (BV | B)[];
    const together = modelValues(model, terms);
    const alone = terms.map((t) => (Z.isBool(t) ? (model.eval(t, true).toString() === "true" ? 1n : 0n) : modelValue(model, t as BV)));
    expect(together).toEqual(alone);
    expect(together[1]).toBe(0n);
    expect(together[3]).toBe(1n);
    expect(together[4]).toBe(0xa5n);
    s.release();
  });
});

test("translating a concrete state's addresses leaves the state as it was, and a translator gives what translateIn gives (ARM: a page-table walk on the state itself, not on a copy)", () => {
  const isa = checkSpec(loadSpec("isas/armv7.isa")).isa!;
  const s = new MachineState(isa);
  const sctlr = isa.state.find((e) => e.name === "SCTLR")!;
  const ttbr0 = isa.state.find((e) => e.name === "TTBR0")!;
  s.setReg(sctlr.id, 0, 1n); // MMU on
  s.setReg(ttbr0.id, 0, 0x4000n);
  s.setReg(isa.state.find((e) => e.name === "DACR")!.id, 0, 0xffffffffn); // every domain: manager
  s.writeUnit(0x4000n + 4n * 0x123n, 0x02n); // a section descriptor: 0x123xxxxx -> 0x560xxxxx
  s.writeUnit(0x4000n + 4n * 0x123n + 3n, 0x56n);
  const before = JSON.stringify([s.regs, [...s.memory]], (_, v) => (typeof v === "bigint" ? v.toString() : v));
  const translate = translatorOf(isa, s);
  expect(translate(0x12345678n)).toBe(0x56045678n);
  expect(translate(0x0n)).toBe(null); // no descriptor: a translation fault
  for (const va of [0x12345678n, 0x12300000n, 0x0n, 0xfffffffcn]) {
    expect(translate(va)).toBe(translateIn(isa, s, va));
    expect(translate(va)).toBe(translateIn(isa, s.clone(), va));
  }
  expect(JSON.stringify([s.regs, [...s.memory]], (_, v) => (typeof v === "bigint" ? v.toString() : v))).toBe(before);
});
