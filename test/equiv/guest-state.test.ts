/**
 * Initial guest states keep to the spec: the privilege level is written where the spec's privilege
 * element lives (a field of x86's CS), every generated state satisfies the configuration's
 * requires, and registers stay within their widths.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { Analysis } from "../../src/analysis/analyze.js";
import { checkSpec } from "../../src/check/check.js";
import { CaseGenerator } from "../../src/equiv/arbitrary.js";
import { atLevel, levelOf, resetRegisters, withinConfig } from "../../src/equiv/guest-state.js";
import { guestLayout } from "../../src/equiv/layout.js";
import { Random } from "../../src/programs/random.js";
import { loadSpec } from "../../src/syntax/load.js";
import { ISAS } from "../vmm/helpers.js";

const x86 = checkSpec(loadSpec(join(ISAS, "x86.isa"))).isa!;
const el = (name: string) => x86.state.find((e) => e.name === name)!;

describe("privilege level and requires", () => {
  test("x86: ring 3 is CS.CPL = 3, and the rest of CS is kept", () => {
    const reset = resetRegisters(x86);
    const r = atLevel(x86, reset, 3);
    expect(levelOf(x86, r)).toBe(3);
    expect(r[el("CS").id]![0]! ^ reset[el("CS").id]![0]!).not.toBe(0n);
    expect(levelOf(x86, atLevel(x86, r, 0))).toBe(0);
  });

  test("x86 'umip': UMIP set and IOPL 0, whatever the registers held", () => {
    const umip = x86.configs.find((c) => c.name === "umip")!;
    const regs = resetRegisters(x86);
    regs[el("EFLAGS").id]![0] = 0xffffffffn;
    const r = withinConfig(umip, regs);
    expect((r[el("CR4").id]![0]! >> 11n) & 1n).toBe(1n);
    expect((r[el("EFLAGS").id]![0]! >> 12n) & 3n).toBe(0n);
    expect(r[el("EFLAGS").id]![0]! & 0x200n).toBe(0x200n);
  });

  test("generated x86 states (configuration 'umip') satisfy it, and every register fits its width", () => {
    const umip = x86.configs.find((c) => c.name === "umip")!;
    // The generator reads the verdict only to weight its choice of instructions.
    const analysis = { isa: x86, config: umip, instructions: [] } as unknown as Analysis;
    const g = new CaseGenerator(analysis, guestLayout(x86, 8), 8);
    const levels = new Set<number>();
    for (let seed = 0; seed < 60; seed++) {
      const c = g.generate(new Random(seed));
      expect((c.regs[el("CR4").id]![0]! >> 11n) & 1n).toBe(1n);
      expect((c.regs[el("EFLAGS").id]![0]! >> 12n) & 3n).toBe(0n);
      for (const e of x86.state) for (const v of c.regs[e.id]!) expect(v >> BigInt(e.width)).toBe(0n);
      levels.add(levelOf(x86, c.regs));
      expect(c.slots.length).toBe(8);
    }
    expect(levels.has(0) && levels.has(3)).toBe(true);
  });
});
