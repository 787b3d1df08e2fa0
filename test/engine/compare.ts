/**
 * Runs one initial state on the reference interpreter (Machine) and on the engine, and reports the
 * first difference: run status, step count, trap sequence, registers, memory, output, halted.
 */
import type * as IR from "../../src/ir/ir.js";
import { Engine, type EngineOptions } from "../../src/engine/engine.js";
import { Machine, type RunResult, type TrapEvent } from "../../src/machine/machine.js";
import type { MachineState } from "../../src/machine/state.js";

export interface Outcome {
  readonly result: Pick<RunResult, "status" | "steps" | "message">;
  readonly traps: string[];
  readonly state: MachineState;
}

function describeTrap(t: TrapEvent): string {
  return `${t.cause.name}(${t.info.toString(16)}) pc=${t.pc.toString(16)} next=${t.nextPc.toString(16)}${t.fromTick ? " tick" : ""}${t.instruction ? ` ${t.instruction.name}` : ""}`;
}

export function runInterpreter(isa: IR.Isa, initial: MachineState, maxSteps: number, options: EngineOptions = {}): Outcome {
  const m = new Machine(isa, initial.clone(), { choose: options.choose, translate: options.translate, fetchOverlay: options.fetchOverlay });
  const traps: string[] = [];
  const r = m.run({ maxSteps, onTrap: (t) => (traps.push(describeTrap(t)), "deliver") });
  return { result: { status: r.status, steps: r.steps, message: r.message }, traps, state: m.state };
}

export function runEngine(isa: IR.Isa, initial: MachineState, maxSteps: number, options: EngineOptions = {}): Outcome {
  const e = new Engine(isa, initial.clone(), options);
  const traps: string[] = [];
  const r = e.run({ maxSteps, onTrap: (t) => (traps.push(describeTrap(t)), "deliver") });
  return { result: { status: r.status, steps: r.steps, message: r.message }, traps, state: e.snapshot() };
}

function regName(isa: IR.Isa, id: number, i: number): string {
  const e = isa.state[id]!;
  return e.count === null ? e.name : `${e.name}[${i}]`;
}

/** The differences between two outcomes (empty when they agree). */
export function differences(isa: IR.Isa, a: Outcome, b: Outcome): string[] {
  const out: string[] = [];
  if (a.result.status !== b.result.status || a.result.steps !== b.result.steps || (a.result.message ?? "") !== (b.result.message ?? "")) {
    out.push(`result: interpreter ${JSON.stringify(a.result)} engine ${JSON.stringify(b.result)}`);
  }
  const n = Math.max(a.traps.length, b.traps.length);
  for (let i = 0; i < n; i++) {
    if (a.traps[i] !== b.traps[i]) {
      out.push(`trap #${i}: interpreter ${a.traps[i] ?? "none"}, engine ${b.traps[i] ?? "none"}`);
      break;
    }
  }
  a.state.regs.forEach((file, id) =>
    file.forEach((v, i) => {
      const w = b.state.regs[id]![i]!;
      if (v !== w) out.push(`${regName(isa, id, i)}: interpreter 0x${v.toString(16)}, engine 0x${w.toString(16)}`);
    }),
  );
  const addrs = new Set([...a.state.memory.keys(), ...b.state.memory.keys()]);
  let shown = 0;
  for (const k of [...addrs].sort((x, y) => (x < y ? -1 : 1))) {
    const x = a.state.memory.get(k) ?? 0n;
    const y = b.state.memory.get(k) ?? 0n;
    if (x !== y && shown++ < 8) out.push(`mem[0x${k.toString(16)}]: interpreter 0x${x.toString(16)}, engine 0x${y.toString(16)}`);
  }
  if (a.state.output.join(",") !== b.state.output.join(",")) out.push(`output: interpreter ${a.state.output.join(",")} engine ${b.state.output.join(",")}`);
  if (a.state.halted !== b.state.halted) out.push(`halted: interpreter ${a.state.halted}, engine ${b.state.halted}`);
  return out;
}
