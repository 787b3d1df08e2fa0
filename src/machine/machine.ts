/**
 * The machine: fetch, decode, execute, trap, over the spec's IR. `step` runs one instruction (after
 * the spec's tick), `run` loops until halt, a stop, or a step limit. The VMM drives guests through
 * `onTrap`: it sees every trap before the spec's trap entry and may deliver it, take it (handled),
 * or stop the run.
 */
import type * as IR from "../ir/ir.js";
import { Decoder, type Decoded } from "./decoder.js";
import { HaltSignal, Interpreter, MachineError, TrapSignal, type InterpreterOptions } from "./interpreter.js";
import { MachineState } from "./state.js";

export interface TrapEvent {
  readonly cause: IR.Cause;
  readonly info: bigint;
  /** Address of the trapping instruction (or of the next one, for a trap raised by tick). */
  readonly pc: bigint;
  /** Address after the trapping instruction (equal to pc for tick traps and fetch faults). */
  readonly nextPc: bigint;
  /** The instruction that trapped, when it was decoded. */
  readonly instruction: IR.Instruction | null;
  /** Its operands, when it was decoded (what a VMM needs to interpret it). */
  readonly operands?: ReadonlyMap<string, bigint>;
  readonly fromTick: boolean;
}

export type StepResult =
  | { readonly kind: "retired"; readonly pc: bigint; readonly decoded: Decoded }
  | { readonly kind: "trap"; readonly trap: TrapEvent; readonly decision: TrapDecision }
  | { readonly kind: "halted"; readonly pc: bigint }
  | { readonly kind: "error"; readonly message: string };

/** What a trap hook decides: run the spec's trap entry, consider it handled, or stop the run. */
export type TrapDecision = "deliver" | "handled" | "stop";

export interface RunOptions {
  readonly maxSteps: number;
  readonly onTrap?: (trap: TrapEvent, machine: Machine) => TrapDecision;
  readonly onStep?: (result: StepResult, machine: Machine) => void;
}

export interface RunResult {
  readonly status: "halted" | "limit" | "stopped" | "error";
  readonly steps: number;
  readonly last: StepResult | null;
  readonly message?: string;
}

export class Machine {
  readonly decoder: Decoder;
  readonly interpreter: Interpreter;

  constructor(
    readonly isa: IR.Isa,
    state?: MachineState,
    options: InterpreterOptions = {},
  ) {
    this.decoder = Decoder.of(isa);
    this.interpreter = new Interpreter(isa, state ?? new MachineState(isa), options);
  }

  get state(): MachineState {
    return this.interpreter.state;
  }

  set state(s: MachineState) {
    this.interpreter.state = s;
  }

  /** Places memory units at physical addresses. */
  load(address: bigint, units: readonly bigint[]): void {
    units.forEach((u, i) => this.state.writeUnit(address + BigInt(i), u));
  }

  /** Decodes the instruction at pc without executing it; traps during fetch propagate as TrapSignal. */
  decodeAt(pc: bigint): Decoded | null {
    return this.decoder.decode((k) => this.interpreter.fetchUnit(pc, k));
  }

  /** Runs instead of the spec's tick when set (a VMM advances a guest's time on its virtual state). */
  tickOverride: (() => void) | null = null;

  /** One step: tick (unless options.tick is false), then one instruction. */
  step(onTrap?: RunOptions["onTrap"], options: { readonly tick?: boolean } = {}): StepResult {
    const s = this.state;
    if (s.halted) return { kind: "halted", pc: s.pc };
    const interp = this.interpreter;
    try {
      // Timers and interrupts: tick's effects stay even when it raises a trap.
      if ((this.isa.tick !== null || this.tickOverride) && options.tick !== false) {
        try {
          if (this.tickOverride) this.tickOverride();
          else interp.runBody(this.isa.functions[this.isa.tick!]!.body, { locals: new Array(this.isa.functions[this.isa.tick!]!.slots).fill(0n), operands: new Map(), nextPc: s.pc });
        } catch (e) {
          if (e instanceof TrapSignal) {
            return this.trap({ cause: e.cause, info: e.info, pc: s.pc, nextPc: s.pc, instruction: null, fromTick: true }, onTrap);
          }
          throw e;
        }
      }
      const pc = s.pc;
      s.begin();
      let decoded: Decoded | null = null;
      try {
        decoded = this.decodeAt(pc);
        if (!decoded) {
          s.rollback();
          return this.trap({ cause: this.isa.causes[this.isa.undefinedCause]!, info: 0n, pc, nextPc: pc, instruction: null, fromTick: false }, onTrap);
        }
        const nextPc = BigInt.asUintN(this.isa.vaddrWidth, pc + BigInt(decoded.units));
        interp.pcWritten = false;
        const instr = decoded.instruction;
        interp.runBody(instr.body, { locals: new Array(instr.slots).fill(0n), operands: decoded.operands, nextPc });
        if (!interp.pcWritten) s.pc = nextPc;
        s.commit();
        return { kind: "retired", pc, decoded };
      } catch (e) {
        if (e instanceof TrapSignal) {
          s.rollback();
          const nextPc = decoded ? BigInt.asUintN(this.isa.vaddrWidth, pc + BigInt(decoded.units)) : pc;
          return this.trap({ cause: e.cause, info: e.info, pc, nextPc, instruction: decoded?.instruction ?? null, operands: decoded?.operands, fromTick: false }, onTrap);
        }
        if (e instanceof HaltSignal) {
          s.commit();
          s.halted = true;
          return { kind: "halted", pc };
        }
        s.rollback();
        throw e;
      }
    } catch (e) {
      if (e instanceof MachineError) return { kind: "error", message: e.message };
      throw e;
    }
  }

  /** Delivers a trap through the spec's trap entry (unless the hook takes it). */
  private trap(t: TrapEvent, onTrap?: RunOptions["onTrap"]): StepResult {
    const decision = onTrap ? onTrap(t, this) : "deliver";
    if (decision !== "deliver") return { kind: "trap", trap: t, decision };
    this.deliver(t);
    if (this.state.halted) return { kind: "halted", pc: this.state.pc };
    return { kind: "trap", trap: t, decision };
  }

  /** Runs the spec's trap entry for t on the current state. */
  deliver(t: TrapEvent): void {
    const entry = this.isa.trapEntry;
    const args = entry.infoWidth === null ? [t.cause.code] : [t.cause.code, t.info];
    const s = this.state;
    s.begin();
    try {
      this.interpreter.call(entry.fn, args, t.nextPc);
      s.commit();
    } catch (e) {
      if (e instanceof HaltSignal) {
        s.commit();
        s.halted = true;
        return;
      }
      s.rollback();
      if (e instanceof TrapSignal) throw new MachineError(`trap '${e.cause.name}' raised while delivering trap '${t.cause.name}' (the trap entry must not trap)`);
      throw e;
    }
  }

  run(options: RunOptions): RunResult {
    let last: StepResult | null = null;
    let steps = 0;
    while (steps < options.maxSteps) {
      last = this.step(options.onTrap);
      steps++;
      options.onStep?.(last, this);
      if (last.kind === "halted") return { status: "halted", steps, last };
      if (last.kind === "error") return { status: "error", steps, last, message: last.message };
      if (last.kind === "trap" && last.decision === "stop") return { status: "stopped", steps, last };
    }
    return { status: "limit", steps, last };
  }
}
