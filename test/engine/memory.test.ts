/**
 * The engine's physical memory: the contiguous low region that generated code reads and writes
 * directly, and the slow-write flags that send a store to the memory's methods when its page does
 * not exist yet or holds translated code.
 */
import { describe, expect, test } from "vitest";
import { PhysicalMemory } from "../../src/engine/memory.js";
import type * as IR from "../../src/ir/ir.js";
import { assemble } from "../../src/machine/assembler.js";
import { MachineState } from "../../src/machine/state.js";
import { bundled } from "./bundled.js";
import { differences, runEngine, runInterpreter } from "./compare.js";

const BYTES: IR.Memory = { unitWidth: 8, addrWidth: 32, endian: "little", fetchUnit: 32 } as IR.Memory;

describe("physical memory", () => {
  test("the low region: pages are views of it, writes need an existing page outside code", () => {
    const m = new PhysicalMemory(BYTES);
    expect(m.flatUnits).toBe(2 ** 24);
    expect(m.slowWrite[0x12]).toBe(1); // no page yet: the first write must allocate it
    m.w32(0x12344, 0xdeadbeef);
    expect(m.flat32[0x12344 >>> 2]).toBe(0xdeadbeef);
    expect(m.r(0x12344, 4)).toBe(0xdeadbeef);
    expect(m.slowWrite[0x12]).toBe(0);
    // A write straight into the region (as generated code does) is seen by the methods.
    m.flat8[0x12000] = 0x5a;
    expect(m.r8(0x12000)).toBe(0x5a);
    expect([...m.entries()]).toContainEqual([0x12000, 0x5a]);
    m.markCode(0x12400);
    expect(m.slowWrite[0x12]).toBe(1);
    m.clearCode(0x12400);
    expect(m.slowWrite[0x12]).toBe(0);
    m.clear();
    expect(m.slowWrite[0x12]).toBe(1);
    expect(m.r32(0x12344)).toBe(0);
    expect(m.flat32[0x12344 >>> 2]).toBe(0);
    expect([...m.entries()]).toEqual([]);
  });

  test("above the low region, pages are separate and the methods serve every access", () => {
    const m = new PhysicalMemory(BYTES);
    m.w32(0x80000000, 0x01020304);
    expect(m.r8(0x80000000)).toBe(4);
    expect(m.r32(0x80000000)).toBe(0x01020304);
    expect([...m.entries()]).toEqual([[0x80000000, 4], [0x80000001, 3], [0x80000002, 2], [0x80000003, 1]]);
  });
});

describe("the engine's inlined stores", () => {
  const rv = bundled("riscv32");

  function program(source: string): MachineState {
    const asm = assemble(rv, source);
    expect(asm.errors).toEqual([]);
    const s = new MachineState(rv);
    for (const seg of asm.segments) seg.units.forEach((u, i) => s.writeUnit(seg.address + BigInt(i), u));
    return s;
  }

  test("a store over the block's own next instruction leaves the block (self-modifying code)", () => {
    const s = program(`
        auipc t0, 0
        lw t1, 24(t0)
        sw t1, 16(t0)
        addi a0, zero, 1
        addi a0, zero, 2
        halt
        addi a0, zero, 7
`);
    for (const steps of [3, 4, 5, 6, 10, 100]) expect(differences(rv, runInterpreter(rv, s, steps), runEngine(rv, s, steps)), `${steps} steps`).toEqual([]);
    const a0 = runEngine(rv, s, 100).state.regs[rv.state.find((e) => e.name === "x")!.id]![10];
    expect(a0).toBe(7n);
  });

  test("stores into a page that does not exist yet, inside and above the low region, then loads", () => {
    const s = program(`
        lui t0, 0x300
        addi t1, zero, 0x5a
        sb t1, 1(t0)
        sw t1, 4(t0)
        lbu a1, 1(t0)
        lw a2, 4(t0)
        lui t2, 0x80000
        sw t1, 8(t2)
        sb t1, 3(t2)
        lw a3, 8(t2)
        lbu a4, 3(t2)
        halt
`);
    const a = runInterpreter(rv, s, 20);
    const b = runEngine(rv, s, 20);
    expect(differences(rv, a, b)).toEqual([]);
    const x = b.state.regs[rv.state.find((e) => e.name === "x")!.id]!;
    expect([x[11], x[12], x[13], x[14]]).toEqual([0x5an, 0x5an, 0x5an, 0x5an]);
  });
});
