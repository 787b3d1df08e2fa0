/**
 * The concrete search draws states the machine can be in: every drawn value fits its register.
 */
import { expect, test } from "vitest";
import { Rng } from "../../src/analysis/sample.js";

test("interesting values fit their width (regression: small values reached 15 in a 1-bit register, and a concrete location witness the definition refutes was accepted)", () => {
  const rng = new Rng(20261201);
  for (const width of [1, 2, 3, 5, 32]) {
    for (let i = 0; i < 2000; i++) expect(rng.interesting(width) < 1n << BigInt(width)).toBe(true);
  }
});
