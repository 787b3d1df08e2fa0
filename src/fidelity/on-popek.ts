/**
 * Runs a difftest program on popek's machine, set up as the peer's user-mode environment, and says
 * whether the program is one the check can use: every instruction retires without a trap, touches
 * only the program and its data area, lands on instruction boundaries, and the program reaches its
 * end within the step limit. Where the spec allows several outcomes (`either`, ARM's UNPREDICTABLE),
 * every path is run and every path must be usable; the peer must then match one of them.
 */
import type * as IR from "../ir/ir.js";
import { Machine } from "../machine/machine.js";
import { MachineState } from "../machine/state.js";
import type { Peer } from "./peer.js";
import type { Laid, Program } from "./program.js";

/** The user state the check compares: one value per peer.observed entry, and the data area. */
export interface Outcome {
  readonly values: readonly bigint[];
  readonly data: Uint8Array;
}

export type PopekRun =
  | { readonly ok: true; readonly outcomes: readonly Outcome[]; readonly steps: number; readonly executed: readonly string[] }
  /** The program is not usable; `slot` is the instruction to replace. */
  | { readonly ok: false; readonly slot: number; readonly reason: string; readonly loop: boolean };

class OutOfBounds {
  constructor(readonly message: string) {}
}

interface Setter {
  readonly element: number;
  readonly index: number;
  readonly hi: number;
  readonly lo: number;
  readonly value: bigint;
}

/** The most `either` paths explored per program. */
const MAX_PATHS = 16;

export class PopekSide {
  private readonly environment: Setter[];
  private readonly observed: { element: number; index: number; mask: bigint }[];
  private readonly forbidden: { element: number; mask: bigint; reason: string }[];

  constructor(
    readonly isa: IR.Isa,
    readonly peer: Peer,
  ) {
    if (isa.memory.unitWidth !== 8) throw new Error(`the difftest needs a byte-addressed memory; ${isa.name} has ${isa.memory.unitWidth}-bit units`);
    this.environment = peer.environment.map(([name, value]) => this.setter(name, value));
    this.observed = peer.observed.map((o) => ({ element: this.element(o.element).id, index: o.index, mask: o.mask }));
    this.forbidden = peer.forbidden.map((f) => ({ element: this.element(f.element).id, mask: f.mask, reason: f.reason }));
  }

  private element(name: string): IR.StateElement {
    const e = this.isa.state.find((s) => s.name === name);
    if (!e) throw new Error(`peer ${this.peer.name}: the spec has no register '${name}'`);
    return e;
  }

  private setter(name: string, value: bigint): Setter {
    const [reg, field] = name.split(".");
    const m = /^(\w+)\[(\d+)\]$/.exec(reg!);
    const e = this.element(m ? m[1]! : reg!);
    const index = m ? Number(m[2]) : 0;
    if (!field) return { element: e.id, index, hi: e.width - 1, lo: 0, value };
    const f = e.fields.get(field);
    if (!f) throw new Error(`peer ${this.peer.name}: register '${e.name}' has no field '${field}'`);
    return { element: e.id, index, hi: f.hi, lo: f.lo, value };
  }

  /** The machine state a program starts from. */
  initialState(program: Program, code: readonly bigint[]): MachineState {
    const s = new MachineState(this.isa);
    for (const set of this.environment) {
      const width = BigInt(set.hi - set.lo + 1);
      const fieldMask = ((1n << width) - 1n) << BigInt(set.lo);
      const old = s.reg(set.element, set.index);
      s.setReg(set.element, set.index, (old & ~fieldMask) | ((set.value << BigInt(set.lo)) & fieldMask));
    }
    this.peer.observed.forEach((o, i) => {
      if (!o.seeded) return;
      const ob = this.observed[i]!;
      const old = s.reg(ob.element, ob.index);
      s.setReg(ob.element, ob.index, (old & ~ob.mask) | (program.init[i]! & ob.mask));
    });
    const { prog, data } = this.peer.layout;
    code.forEach((u, k) => s.writeUnit(prog + BigInt(k), u));
    program.data.forEach((b, k) => s.writeUnit(data + BigInt(k), BigInt(b)));
    s.pc = prog;
    return s;
  }

  /** The observed user state of a machine state. */
  outcome(s: MachineState): Outcome {
    const values = this.observed.map((o) => s.reg(o.element, o.index) & o.mask);
    const { data, dataSize } = this.peer.layout;
    const bytes = new Uint8Array(dataSize);
    for (let k = 0; k < dataSize; k++) bytes[k] = Number(s.readUnit(data + BigInt(k)));
    return { values, data: bytes };
  }

  /** Runs every `either` path of the program; pickLoop chooses the slot to blame for a loop. */
  run(program: Program, laid: Laid & { ok: true }, maxSteps: number, pickLoop: (slots: number[]) => number): PopekRun {
    const outcomes: Outcome[] = [];
    const queue: number[][] = [[]];
    let steps = 0;
    let executed: string[] | null = null;
    while (queue.length > 0) {
      if (outcomes.length >= MAX_PATHS) break;
      const script = queue.shift()!;
      const made: { n: number; k: number }[] = [];
      const r = this.runPath(program, laid, maxSteps, pickLoop, (n) => {
        const k = made.length < script.length ? script[made.length]! : 0;
        made.push({ n, k });
        return k;
      });
      if (!r.ok) return r;
      steps = Math.max(steps, r.steps);
      executed ??= r.executed;
      outcomes.push(r.outcome);
      for (let d = script.length; d < made.length; d++) {
        for (let alt = 1; alt < made[d]!.n; alt++) queue.push([...made.slice(0, d).map((m) => m.k), alt]);
      }
    }
    return { ok: true, outcomes, steps, executed: executed ?? [] };
  }

  private runPath(
    program: Program,
    laid: Laid & { ok: true },
    maxSteps: number,
    pickLoop: (slots: number[]) => number,
    choose: (n: number) => number,
  ): { ok: true; outcome: Outcome; steps: number; executed: string[] } | (PopekRun & { ok: false }) {
    const { prog, data, dataSize } = this.peer.layout;
    const end = laid.addresses[laid.addresses.length - 1]!;
    const dataEnd = data + BigInt(dataSize);
    const inCode = (a: bigint, n: number) => a >= prog && a + BigInt(n) <= end;
    const inData = (a: bigint, n: number) => a >= data && a + BigInt(n) <= dataEnd;
    const machine = new Machine(this.isa, this.initialState(program, laid.code), {
      choose: (n) => choose(n),
      onAccess: (kind, _va, pa, units) => {
        const ok = kind === "fetch" ? inCode(pa, units) : kind === "read" ? inCode(pa, units) || inData(pa, units) : inData(pa, units);
        if (!ok) throw new OutOfBounds(`${kind} of ${units} unit(s) at 0x${pa.toString(16)} outside the program and its data area`);
      },
    });
    const slotAt = new Map(laid.addresses.map((a, i) => [a, i]));
    const backward: number[] = [];
    const executed: string[] = [];
    let slot = 0;
    for (let steps = 0; steps < maxSteps; steps++) {
      const pc = machine.state.pc;
      if (pc === end) return { ok: true, outcome: this.outcome(machine.state), steps, executed };
      const at = slotAt.get(pc);
      if (at === undefined) return { ok: false, slot, reason: `jumped to 0x${pc.toString(16)}, between instructions or outside the program`, loop: false };
      slot = at;
      let r;
      try {
        r = machine.step(() => "stop");
      } catch (e) {
        if (e instanceof OutOfBounds) return { ok: false, slot, reason: e.message, loop: false };
        throw e;
      }
      if (r.kind === "trap") return { ok: false, slot, reason: `trap ${r.trap.cause.name}`, loop: false };
      if (r.kind === "halted") return { ok: false, slot, reason: "halt", loop: false };
      if (r.kind === "error") return { ok: false, slot, reason: r.message, loop: false };
      if (r.kind === "retired") executed.push(r.decoded.instruction.name);
      for (const f of this.forbidden) {
        if ((machine.state.reg(f.element) & f.mask) !== 0n) return { ok: false, slot, reason: f.reason, loop: false };
      }
      if (machine.state.pc <= pc) backward.push(slot);
    }
    if (machine.state.pc === end) return { ok: true, outcome: this.outcome(machine.state), steps: maxSteps, executed };
    return { ok: false, slot: backward.length ? pickLoop(backward) : slot, reason: `no end within ${maxSteps} steps`, loop: true };
  }
}
