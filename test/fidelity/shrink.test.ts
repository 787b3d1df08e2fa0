/** Shrinking keeps branch targets on instruction boundaries and finds a small failing program. */
import { describe, expect, it } from "vitest";
import type { Program, Slot } from "../../src/fidelity/program.js";
import { shrinkProgram, withoutSlots } from "../../src/fidelity/shrink.js";

const slot = (n: number, target: number | null = null): Slot => ({ form: { instruction: n, encoding: 0, fields: new Map() }, target });
const program = (slots: Slot[]): Program => ({ init: [5n, 7n], data: new Uint8Array([1, 2]), slots });

describe("withoutSlots", () => {
  it("renumbers targets past the removed slots and sends targets inside them to the next slot", () => {
    const p = withoutSlots(program([slot(0, 4), slot(1), slot(2), slot(3, 2), slot(4, 0)]), 1, 2);
    expect(p.slots.map((s) => s.form.instruction)).toEqual([0, 3, 4]);
    expect(p.slots.map((s) => s.target)).toEqual([2, 1, 0]);
  });
});

describe("shrinkProgram", () => {
  it("shrinks to the one instruction that fails, with zero seeds and data", () => {
    const found = program([0, 1, 2, 3, 4, 5, 6, 7].map((n) => slot(n)));
    const small = shrinkProgram(found, (p) => p.slots.some((s) => s.form.instruction === 5));
    expect(small.slots.map((s) => s.form.instruction)).toEqual([5]);
    expect(small.init).toEqual([0n, 0n]);
    expect([...small.data]).toEqual([0, 0]);
  });
});
