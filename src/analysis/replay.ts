/**
 * Turns a solver model into concrete machine states and replays the instruction on the reference
 * interpreter. A witness that does not replay is a bug in popek (the symbolic and concrete semantics
 * disagree), and is reported as such, never as a result.
 */
import { functionFootprint } from "../ir/footprint.js";
import * as IR from "../ir/ir.js";
import { Decoder, type Decoded } from "../machine/decoder.js";
import { formatInstruction } from "../machine/disassembler.js";
import { Interpreter, TrapSignal, type InterpreterOptions } from "../machine/interpreter.js";
import { Machine, type TrapEvent } from "../machine/machine.js";
import { MachineState } from "../machine/state.js";
import type { VirtualUnit } from "./compare.js";
import type { InstructionRun, SymOperands } from "./instance.js";
import type { Access, SymState } from "./symexec.js";
import type { BV, B, Z3Model } from "./z3.js";

export interface Concrete {
  readonly state: MachineState;
  readonly decoded: Decoded | null;
  readonly assembly: string;
  /** Choices for `either` statements, in the order the symbolic run met them (guard true). */
  readonly choices: Map<IR.Stmt, number[]>;
}

/** A bit-vector term's value in a model. */
export function modelValue(model: Z3Model, t: BV): bigint {
  const v = model.eval(t, true) as unknown as { value(): bigint };
  return v.value();
}

/**
 * The values of many terms in one model, evaluated together: one walk over their shared subterms
 * (page-table walks, descriptor reads) where a call per term walks them again each time - a model's
 * concrete state took seconds for ARM's LDM (user registers) term by term. Booleans come back as 0
 * or 1.
 */
export function modelValues(model: Z3Model, terms: readonly (BV | B)[]): bigint[] {
  if (terms.length === 0) return [];
  const Z = model.ctx;
  const one = Z.BitVec.val(1, 1);
  const zero = Z.BitVec.val(0, 1);
  const parts = terms.map((t) => (Z.isBool(t) ? (Z.If(t, one, zero) as BV) : (t as BV)));
  const out = new Array<bigint>(parts.length);
  // In groups of at most NUMERAL_BITS bits: the bindings read a numeral in decimal, which takes time
  // quadratic in its width, and x86's far transfers read tens of thousands of bits. (Smaller groups
  // walk the shared subterms again for each; Z3's binary string and slicing the numeral are slower
  // still.) x86's eight slowest instructions in one thread: 0.78-0.86 s here as one numeral, 0.34-0.44
  // s in groups of 2,048 bits.
  for (let first = 0; first < parts.length;) {
    let last = first + 1;
    for (let width = parts[first]!.size(); last < parts.length && width + parts[last]!.size() <= NUMERAL_BITS; last++) width += parts[last]!.size();
    const group = parts.slice(first, last);
    const all = modelValue(model, group.length === 1 ? group[0]! : Z.Concat(...group));
    let shift = 0n;
    for (let i = last - 1; i >= first; i--) {
      const w = BigInt(parts[i]!.size());
      out[i] = (all >> shift) & ((1n << w) - 1n);
      shift += w;
    }
    first = last;
  }
  return out;
}

/** The widest numeral modelValues reads at once. */
const NUMERAL_BITS = 2048;

/** The concrete state a model describes: registers, and physical memory wherever the run looked. */
export function concretize(model: Z3Model, isa: IR.Isa, instr: IR.Instruction, ops: SymOperands, initial: SymState, inst: InstructionRun, probed: readonly Access[] = []): Concrete {
  const state = new MachineState(isa);
  const regs = isa.state.flatMap((e) => initial.regs[e.id]!.map((t, i) => ({ id: e.id, i, t })));
  const accesses = [...inst.run.accesses, ...probed];
  const k = ops.selector ? Number(modelValue(model, ops.selector)) : 0;
  const enc = instr.encodings[Math.min(k, instr.encodings.length - 1)]!;
  const values = modelValues(model, [
    ...regs.map((r) => r.t),
    ...accesses.flatMap((a) => [a.guard, a.pa, initial.phys.select(a.pa) as BV]),
    ...inst.run.eithers.flatMap((e) => [e.guard, e.choice]),
    ops.words[Math.min(k, ops.words.length - 1)]!,
  ]);
  let at = 0;
  for (const r of regs) state.setReg(r.id, r.i, values[at++]!);
  // Physical memory the run read or wrote, or that a query compared: the initial contents there.
  // (Reads of a cell the run itself wrote earlier are reads of the initial array at that address too.)
  for (let n = 0; n < accesses.length; n++, at += 3) {
    if (values[at] === 1n) state.writeUnit(values[at + 1]!, values[at + 2]!);
  }
  const choices = new Map<IR.Stmt, number[]>();
  for (const e of inst.run.eithers) {
    const [guard, choice] = [values[at++]!, values[at++]!];
    if (guard !== 1n) continue;
    const list = choices.get(e.stmt) ?? [];
    list.push(Number(choice));
    choices.set(e.stmt, list);
  }
  const word = values[at++]!;
  const decoded = Decoder.of(isa).decodeWord(word, enc.length);
  const assembly = decoded ? formatInstruction(decoded, { pc: state.pc, isa }) : `(word 0x${word.toString(16)} does not decode)`;
  return { state, decoded, assembly, choices };
}

/** Where a concrete state's translation sends va, or null when it traps. */
export function translateIn(isa: IR.Isa, s: MachineState, va: bigint): bigint | null {
  try {
    // A translate that writes nothing (every bundled one) runs on the state itself: copying the
    // state for each lookup was most of the concrete search's time on ARM's LDRT.
    return new Interpreter(isa, translateWrites(isa) ? s.clone() : s).translate(va, IR.ACCESS.READ);
  } catch (e) {
    if (e instanceof TrapSignal) return null;
    throw e;
  }
}

/**
 * translateIn for a state that will not change while this is used: each virtual address translated
 * once (a word access is several units at one address).
 */
export function translatorOf(isa: IR.Isa, s: MachineState): (va: bigint) => bigint | null {
  const known = new Map<bigint, bigint | null>();
  return (va) => {
    let pa = known.get(va);
    if (pa === undefined) known.set(va, (pa = translateIn(isa, s, va)));
    return pa;
  };
}

const writingTranslates = new WeakMap<IR.Isa, boolean>();

/** Whether the spec's translate may write state (or memory, or output). */
function translateWrites(isa: IR.Isa): boolean {
  let w = writingTranslates.get(isa);
  if (w === undefined) {
    const fp = isa.translate === null ? null : functionFootprint(isa, isa.translate);
    w = fp !== null && (fp.writes.size > 0 || fp.writesMemory || fp.outputs);
    writingTranslates.set(isa, w);
  }
  return w;
}

export interface ReplayOutcome {
  readonly initial: MachineState;
  readonly final: MachineState;
  readonly trap: TrapEvent | null;
  readonly halted: boolean;
  /** The instruction the machine decoded at pc. */
  readonly executed: string | null;
  readonly error: string | null;
  /** Every unit of every virtual access the step made (fetch, read, write), in order. */
  readonly units: readonly VirtualUnit[];
}

/** Executes exactly one instruction (no tick) from the concrete state. */
export function replay(isa: IR.Isa, c: Concrete, onBranch?: InterpreterOptions["onBranch"]): ReplayOutcome {
  const initial = c.state.clone();
  const queues = new Map([...c.choices].map(([k, v]) => [k, [...v]]));
  const units: VirtualUnit[] = [];
  const machine = new Machine(isa, c.state.clone(), {
    choose: (n, stmt) => {
      const q = queues.get(stmt);
      const v = q?.shift() ?? 0;
      return Math.min(v, n - 1);
    },
    onAccess: (kind, va, pa, n) => {
      if (va !== null) for (let offset = 0; offset < n; offset++) units.push({ kind, va, offset, pa: BigInt.asUintN(isa.memory.addrWidth, pa + BigInt(offset)) });
    },
    onBranch,
  });
  let trap: TrapEvent | null = null;
  let executed: string | null = null;
  const r = machine.step((t) => {
    trap = t;
    return "stop";
  }, { tick: false });
  if (r.kind === "retired") executed = r.decoded.instruction.name;
  if (r.kind === "trap") executed = r.trap.instruction?.name ?? null;
  return {
    initial,
    final: machine.state,
    trap,
    halted: r.kind === "halted",
    executed: r.kind === "halted" ? c.decoded?.instruction.name ?? null : executed,
    error: r.kind === "error" ? r.message : null,
    units,
  };
}

/** The mode level name of a concrete state. */
export function levelOf(isa: IR.Isa, s: MachineState): string {
  const v = new Interpreter(isa, s).eval(isa.privilege.element, { locals: [], operands: new Map(), nextPc: 0n });
  return isa.privilege.levels.find((l) => l.values.includes(v))?.name ?? `mode ${v}`;
}

/** Values the program sees: user registers (banked ones through the current bank), by name. */
export function visibleState(isa: IR.Isa, s: MachineState): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const interp = new Interpreter(isa, s);
  for (const e of isa.state) {
    if (e.role !== "user" || e.bankOf !== null) continue;
    if (e.count === null) out.set(e.name, s.reg(e.id));
    else for (let i = 0; i < e.count; i++) out.set(`${e.name}[${i}]`, s.reg(e.id, i));
  }
  for (const b of isa.banked) {
    if (b.role !== "user") continue;
    const sel = interp.eval(b.selector, { locals: [], operands: new Map(), nextPc: 0n });
    const bank = b.banks.find((x) => x.values?.includes(sel)) ?? b.banks.find((x) => x.values === null) ?? b.banks[b.banks.length - 1]!;
    out.set(b.name, s.reg(bank.element));
  }
  return out;
}

export function controlState(isa: IR.Isa, s: MachineState): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const e of isa.state) {
    if (e.role !== "control") continue;
    if (e.count === null) out.set(e.name, s.reg(e.id));
    else for (let i = 0; i < e.count; i++) out.set(`${e.name}[${i}]`, s.reg(e.id, i));
  }
  return out;
}
