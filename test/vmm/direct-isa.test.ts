/**
 * The direct ISA (src/vmm/runtime/direct-isa.ts): the spec with translate and tick reading the
 * guest's values of the registers the allocator changes from shadow registers, every instruction
 * untouched; none where translate or tick writes such a register.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import { bodyFootprint, functionFootprint } from "../../src/ir/footprint.js";
import { loadSpec } from "../../src/syntax/load.js";
import { directIsa } from "../../src/vmm/runtime/direct-isa.js";
import { ISAS } from "./helpers.js";

const isa = checkSpec(loadSpec(join(ISAS, "riscv32.isa"))).isa!;
const id = (name: string) => isa.state.find((e) => e.name === name)!.id;

describe("riscv32 with priv deprivileged", () => {
  const d = directIsa(isa, [id("priv")])!;

  test("translate and tick read the guest's priv from its shadow, and nothing else changes", () => {
    expect([...d.shadows.keys()]).toEqual([id("priv")]);
    const shadow = d.shadows.get(id("priv"))!;
    expect(d.isa.state[shadow]!.name).toBe("priv'guest");
    expect(d.isa.state.slice(0, isa.state.length)).toEqual(isa.state);
    for (const fn of [d.isa.translate!, d.isa.tick!]) {
      const f = functionFootprint(d.isa, fn);
      expect(f.reads.has(shadow)).toBe(true);
      expect(f.reads.has(id("priv"))).toBe(false);
    }
    // The instructions still run on the real priv (CSR accesses check it), through the shadowed translate.
    expect(d.isa.instructions).toBe(isa.instructions);
    const csrrw = isa.instructions.find((i) => i.name === "CSRRW")!;
    expect(bodyFootprint(d.isa, csrrw.body).reads.has(id("priv"))).toBe(true);
    // The original functions are unchanged (instructions call them).
    expect(d.isa.functions.slice(0, isa.functions.length)).toEqual(isa.functions);
  });

  test("is computed once per spec and set of registers", () => {
    expect(directIsa(isa, [id("priv")])).toBe(d);
  });
});

test("none where the tick writes a register the allocator changes", () => {
  expect(directIsa(isa, [id("mcycle")])).toBeNull();
});
