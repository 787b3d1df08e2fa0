/**
 * Reading a model: many terms evaluated together give what each gives alone.
 */
import { afterAll, expect, test } from "vitest";
import { modelValue, modelValues } from "../../src/analysis/replay.js";
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
    expect(await checkSat(s)).toBe("sat");
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
