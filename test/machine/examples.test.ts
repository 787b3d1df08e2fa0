/**
 * The bundled example programs, run on the P&G machine through the library API (what `popek run`
 * does), with their final state pinned: a change in the interpreter, the assembler or the spec that
 * alters any of it shows up here.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import { loadProgram } from "../../src/cli/commands/program.js";
import type * as IR from "../../src/ir/ir.js";
import { assemble, type AsmResult } from "../../src/machine/assembler.js";
import { Machine, type RunResult, type TrapEvent } from "../../src/machine/machine.js";
import { loadSpec } from "../../src/syntax/load.js";

const ISAS = resolve(dirname(fileURLToPath(import.meta.url)), "../../isas");
const EXAMPLES = join(ISAS, "pg", "examples");

function loadIsa(name: string): IR.Isa {
  const checked = checkSpec(loadSpec(join(ISAS, name)));
  expect(checked.diagnostics.items.filter((d) => d.severity === "error")).toEqual([]);
  return checked.isa!;
}

interface Run {
  readonly isa: IR.Isa;
  readonly machine: Machine;
  readonly program: AsmResult;
  readonly result: RunResult;
  readonly traps: TrapEvent[];
  /** The privilege level's value (the P&G mode M) when each trap happened. */
  readonly trapModes: bigint[];
  reg(name: string, index?: number): bigint;
}

/** Runs each example once, lazily (inside the first test that needs it, so failures are reported there). */
const cache = new Map<string, Run>();
function example(specName: string, programName: string): Run {
  const key = `${specName} ${programName}`;
  if (!cache.has(key)) cache.set(key, runExample(specName, programName));
  return cache.get(key)!;
}

function runExample(specName: string, programName: string, maxSteps = 100_000): Run {
  const isa = loadIsa(specName);
  const program = assemble(isa, readFileSync(join(EXAMPLES, programName), "utf8"));
  expect(program.errors).toEqual([]);
  const machine = new Machine(isa);
  loadProgram(machine, program);
  const reg = (name: string, index = 0) => {
    const el = isa.state.find((e) => e.name === name);
    if (!el) throw new Error(`no register ${name}`);
    return machine.state.reg(el.id, index);
  };
  const traps: TrapEvent[] = [];
  const trapModes: bigint[] = [];
  const result = machine.run({
    maxSteps,
    onTrap: (t) => {
      traps.push(t);
      trapModes.push(reg("M"));
      return "deliver";
    },
  });
  return { isa, machine, program, result, traps, trapModes, reg };
}

describe("supervisor.s on pg.isa", () => {
  const run = () => example("pg.isa", "supervisor.s");

  it("halts with the user's sum and the number of timer interrupts", () => {
    expect(run().result.status).toBe("halted");
    expect(run().result.steps).toBe(552);
    expect(run().machine.state.halted).toBe(true);
    expect(run().machine.state.output).toEqual([55n, 8n]);
  });

  it("ends in supervisor mode with the pinned registers", () => {
    expect(run().reg("M")).toBe(0n);
    expect(run().reg("L")).toBe(0n);
    expect(run().reg("B")).toBe(1023n);
    expect(run().reg("T")).toBe(8n);
    // Halted at the HLT after `out r0` in on_exit: the PC stays on the halting instruction.
    expect(run().reg("P")).toBe(0x23n);
    expect([0, 1, 2, 3].map((i) => run().reg("A", i))).toEqual([8n, 0n, 0n, 0n]);
  });

  it("the user's store went through relocation to physical 512 + its offset", () => {
    const result = run().program.symbols.get("result");
    expect(result).toBeDefined();
    // Labels of the user program count from its virtual origin 0.
    expect(result!).toBeLessThan(64n);
    expect(run().machine.state.readUnit(512n + result!)).toBe(55n);
    // Not at the virtual address itself (that is the supervisor's own storage).
    expect(run().machine.state.readUnit(result!)).not.toBe(55n);
    expect(run().machine.state.readUnit(run().program.symbols.get("ticks")!)).toBe(8n);
    expect(run().machine.state.memory.size).toBe(53);
  });

  it("took 2 supervisor calls and 8 timer interrupts, all in user mode", () => {
    const names = run().traps.map((t) => t.cause.name);
    expect(names.filter((n) => n === "svc")).toHaveLength(2);
    expect(names.filter((n) => n === "timer")).toHaveLength(8);
    expect(names).toHaveLength(10);
    expect(run().traps.filter((t) => t.cause.name === "timer").every((t) => t.fromTick && t.pc === t.nextPc)).toBe(true);
    const svc = run().traps.filter((t) => t.cause.name === "svc");
    expect(svc.map((t) => t.info)).toEqual([1n, 0n]);
    expect(svc.every((t) => t.instruction?.name === "SVC" && t.nextPc === t.pc + 1n)).toBe(true);
    // The interval timer stands still in supervisor mode, so every trap arrives from user mode.
    expect(run().trapModes).toEqual(new Array(10).fill(1n));
  });

  it("enters at _start and loads the user program at physical 512", () => {
    expect(run().program.entry).toBe(run().program.symbols.get("_start"));
    expect(run().program.segments.map((s) => s.address)).toEqual([0n, 512n]);
  });
});

describe("user.s on pg.isa", () => {
  it("adds 1..10, prints 55 and halts", () => {
    const run = example("pg.isa", "user.s");
    expect(run.result.status).toBe("halted");
    expect(run.result.steps).toBe(44);
    expect(run.machine.state.output).toEqual([55n]);
    expect(run.reg("A", 0)).toBe(55n);
    expect(run.reg("A", 1)).toBe(0n);
    expect(run.reg("P")).toBe(0x10n);
    expect(run.reg("M")).toBe(0n);
    expect(run.machine.state.readUnit(run.program.symbols.get("sum")!)).toBe(55n);
    expect(run.traps).toEqual([]);
  });
});

describe("pg-flawed.isa", () => {
  it("runs the same supervisor to the same output and state", () => {
    const good = example("pg.isa", "supervisor.s");
    const flawed = example("pg-flawed.isa", "supervisor.s");
    expect(flawed.isa.name).not.toBe(good.isa.name);
    expect(flawed.result.status).toBe("halted");
    expect(flawed.machine.state.output).toEqual([55n, 8n]);
    expect(flawed.result.steps).toBe(good.result.steps);
    expect(flawed.machine.state.regs).toEqual(good.machine.state.regs);
    expect([...flawed.machine.state.memory].sort()).toEqual([...good.machine.state.memory].sort());
  });

  it("runs user.s the same way", () => {
    const flawed = example("pg-flawed.isa", "user.s");
    expect(flawed.result.status).toBe("halted");
    expect(flawed.machine.state.output).toEqual([55n]);
  });
});
