/**
 * Brute force: the definitions of ../shared/popek-goldberg.md (as docs/analysis.md generalises
 * them) evaluated over every concrete state of a tiny ISA with the reference interpreter,
 * independently of the solver. A state is its registers and its physical memory.
 */
import type { InstructionVerdict } from "../../src/analysis/classify.js";
import * as IR from "../../src/ir/ir.js";
import { evalPure } from "../../src/ir/pure.js";
import { Interpreter, TrapSignal } from "../../src/machine/interpreter.js";
import { Machine } from "../../src/machine/machine.js";
import { MachineState } from "../../src/machine/state.js";

export interface Flags {
  privileged: boolean;
  controlSensitive: boolean;
  modeSensitive: boolean;
  locationSensitive: boolean;
  userSensitive: boolean;
  timingDependent: boolean;
  vmmProblem: boolean;
}

interface Outcome {
  trapped: boolean;
  controlChanged: boolean;
  /** User registers and the PC after. */
  regs: string;
  final: MachineState;
  /** Virtual addresses written. */
  writes: bigint[];
  /** Virtual addresses touched (fetched, read or written). */
  touched: bigint[];
}

/** Every assignment of `widths` bits, as arrays of bigints. */
function* assignments(widths: readonly number[]): Generator<bigint[]> {
  const total = widths.reduce((a, b) => a + b, 0);
  for (let v = 0; v < 1 << total; v++) {
    const out: bigint[] = [];
    let rest = v;
    for (const w of widths) {
      out.push(BigInt(rest & ((1 << w) - 1)));
      rest >>= w;
    }
    yield out;
  }
}

/** The solver's answers to the questions brute force answers. */
export function solverFlags(v: InstructionVerdict): Record<keyof Flags, boolean | "inconclusive"> {
  return {
    privileged: v.privileged,
    controlSensitive: v.controlSensitive,
    modeSensitive: v.modeSensitive,
    locationSensitive: v.locationSensitive,
    userSensitive: v.userSensitive,
    timingDependent: v.timingDependent,
    vmmProblem: v.vmmProblem,
  };
}

export function bruteForce(isa: IR.Isa, instr: IR.Instruction, config: IR.GuestConfig): Flags {
  const enc = instr.encodings[0]!;
  const elements = isa.state;
  const control = elements.filter((e) => e.role === "control");
  const user = elements.filter((e) => e.role === "user");
  const timing = new Set(elements.filter((e) => e.name === "T").map((e) => e.id));
  const modeEl = elements.find((e) => e.name === "M")!;
  const vsize = 1 << isa.vaddrWidth;
  const psize = 1 << isa.memory.addrWidth;
  const eitherIndex = new Map(eitherStatements(instr.body).map((s, i) => [s, i]));
  const eithers = eitherIndex.size;

  const tr = (s: MachineState, va: bigint, access: bigint = IR.ACCESS.READ): bigint | null => {
    try {
      return new Interpreter(isa, s.clone()).translate(va, access);
    } catch (e) {
      if (e instanceof TrapSignal) return null;
      throw e;
    }
  };
  // Tiny ISAs translate from registers alone, so a translation is a function of the registers.
  const trCache = new Map<string, bigint | null>();
  const trRegs = (regs: readonly bigint[], va: bigint, access: bigint = IR.ACCESS.READ): bigint | null => {
    const k = `${regs.join(",")}|${va}|${access}`;
    if (!trCache.has(k)) {
      const s = new MachineState(isa);
      elements.forEach((e, i) => s.setReg(e.id, 0, regs[i]!));
      trCache.set(k, tr(s, va, access));
    }
    return trCache.get(k)!;
  };
  const level = (s: MachineState) => isa.privilege.levels.findIndex((l) => l.values.includes(s.reg(modeEl.id)));
  const requires = (s: MachineState) => config.requires.every((r) => new Interpreter(isa, s).eval(r, { locals: [], operands: new Map(), nextPc: 0n }) === 1n);
  const isGuest = (s: MachineState) => level(s) === config.guestLevel && requires(s);
  const isAbove = (s: MachineState) => level(s) >= 0 && level(s) < config.guestLevel;
  const wellFormed = (s: MachineState) => level(s) >= 0;

  const operandValues = [...assignments(enc.fields.map((f) => f.width))]
    .map((vals) => new Map(enc.fields.map((f, i) => [f.name, vals[i]!])))
    .filter((ops) => !enc.where || evalPure(enc.where, ops) === 1n);
  const word = (ops: Map<string, bigint>) => {
    let w = enc.match;
    for (const f of enc.fields) for (const p of f.pieces) {
      const n = BigInt(p.encHi - p.encLo + 1);
      w |= ((ops.get(f.name)! >> BigInt(p.fieldLo)) & ((1n << n) - 1n)) << BigInt(p.encLo);
    }
    return w;
  };

  /** The state, if the instruction fetched at its pc is I with these operands (fetch faults never run it). */
  const build = (regs: readonly bigint[], phys: readonly bigint[], ops: Map<string, bigint>): MachineState | null => {
    const s = new MachineState(isa);
    elements.forEach((e, i) => s.setReg(e.id, 0, regs[i]!));
    phys.forEach((v, a) => s.writeUnit(BigInt(a), v));
    const pa = tr(s, s.pc, IR.ACCESS.FETCH);
    return pa !== null && s.readUnit(pa) === word(ops) ? s : null;
  };

  // One machine, reused: each run installs its state and its choices. A choice vector gives each
  // `either` statement its branch, so the two runs of a pair resolve the same statement the same way
  // whichever other eithers their paths meet (docs/analysis.md, symbolic execution).
  let choices: number[] = [];
  let writes: bigint[] = [];
  let touched: bigint[] = [];
  const m = new Machine(isa, new MachineState(isa), {
    choose: (n, stmt) => Math.min(choices[eitherIndex.get(stmt)!] ?? 0, n - 1),
    onAccess: (kind, va) => {
      if (kind === "write" && va !== null) writes.push(va);
      if (va !== null) touched.push(va);
    },
  });
  const memo = new Map<string, Outcome>();
  const run = (s0: MachineState, ch: number[], key: string): Outcome => {
    const mk = `${key}|${ch.join("")}`;
    const hit = memo.get(mk);
    if (hit) return hit;
    choices = ch;
    writes = [];
    touched = [];
    m.state = s0.clone();
    const r = m.step(() => "stop", { tick: false });
    const f = m.state;
    const out: Outcome = {
      trapped: r.kind === "trap",
      controlChanged: r.kind === "halted" || f.output.length > s0.output.length || control.some((e) => f.reg(e.id) !== s0.reg(e.id)),
      regs: [...user.filter((e) => !e.isPc).map((e) => f.reg(e.id)), f.pc].join(","),
      final: f,
      writes: [...writes],
      touched: [...touched],
    };
    memo.set(mk, out);
    return out;
  };
  /** Wherever both states translate a virtual address either run touches, they hold the same contents there. */
  const sameView = (sa: MachineState, a: Outcome, sb: MachineState, b: Outcome): boolean => {
    for (const u of new Set([...a.touched, ...b.touched])) {
      const [pa, pb] = [tr(sa, u), tr(sb, u)];
      if (pa !== null && pb !== null && sa.readUnit(pa) !== sb.readUnit(pb)) return false;
    }
    return true;
  };
  /** A unit either run writes shares its physical unit with another touched one in both states or in neither. */
  const sameSharing = (sa: MachineState, a: Outcome, sb: MachineState, b: Outcome): boolean => {
    const touchedBoth = [...new Set([...a.touched, ...b.touched])];
    for (const w of new Set([...a.writes, ...b.writes])) {
      for (const u of touchedBoth) {
        const [wa, ua, wb, ub] = [tr(sa, w), tr(sa, u), tr(sb, w), tr(sb, u)];
        if (wa === null || ua === null || wb === null || ub === null) continue;
        if ((wa === ua) !== (wb === ub)) return false;
      }
    }
    return true;
  };
  /** Results differ as the program sees them (docs/analysis.md). */
  const differ = (sa: MachineState, a: Outcome, sb: MachineState, b: Outcome): boolean => {
    if (a.regs !== b.regs) return true;
    for (const v of new Set([...a.writes, ...b.writes])) {
      const pa = tr(sa, v);
      const pb = tr(sb, v);
      if (pa !== null && pb !== null && a.final.readUnit(pa) !== b.final.readUnit(pb)) return true;
    }
    return false;
  };

  const choiceVectors = [...assignments(new Array(eithers).fill(1))].map((v) => v.map(Number));
  const regWidths = elements.map((e) => e.width);
  const physWidths = new Array(psize).fill(isa.memory.unitWidth);

  let userCompletes = false;
  let aboveCompletes = false;
  let controlSensitive = false;
  let userControl = false;
  let modeSensitive = false;
  let locationSensitive = false;
  let userLocation = false;
  let timingDependent = false;
  let vmmProblem = false;
  const key = (regs: readonly bigint[], phys: readonly bigint[]) => `${regs.join(",")}|${phys.join(",")}`;
  /** The same state at the guest level (mode set to a guest value) completes, under some choice. */
  const counterpartCompletes = (regs: readonly bigint[], phys: readonly bigint[], ops: Map<string, bigint>): boolean => {
    for (const v of isa.privilege.levels[config.guestLevel]!.values) {
      const cp = [...regs];
      cp[elements.indexOf(modeEl)] = v;
      const s = build(cp, phys, ops);
      if (!s || !isGuest(s)) continue;
      if (choiceVectors.some((ch) => !run(s, ch, key(cp, phys)).trapped)) return true;
    }
    return false;
  };

  for (const ops of operandValues) {
    memo.clear();
    for (const regs of assignments(regWidths)) {
      for (const phys of assignments(physWidths)) {
        const s = build(regs, phys, ops);
        if (!s) continue;
        const sKey = key(regs, phys);
        for (const ch of choiceVectors) {
          const o = run(s, ch, sKey);
          if (o.trapped) continue;
          if (isGuest(s)) userCompletes = true;
          if (isAbove(s)) aboveCompletes = true;
          if (wellFormed(s) && o.controlChanged) {
            controlSensitive = true;
            if (!vmmProblem && counterpartCompletes(regs, phys, ops)) vmmProblem = true;
          }
          if (isGuest(s) && o.controlChanged) userControl = true;
        }
        // Partners: only time changed (same physical memory), or only the mode changed, or the same
        // mode and time with other control state - the last two with any physical memory that
        // presents the same view.
        for (const ctl of assignments(control.map((e) => e.width))) {
          const regs2 = [...regs];
          control.forEach((e, i) => (regs2[elements.indexOf(e)] = ctl[i]!));
          const changed = control.filter((e) => regs2[elements.indexOf(e)] !== regs[elements.indexOf(e)]).map((e) => e.id);
          if (changed.length === 0) continue;
          const onlyMode = changed.every((id) => id === modeEl.id);
          const onlyTime = changed.every((id) => timing.has(id));
          const sameModeAndTime = changed.every((id) => id !== modeEl.id && !timing.has(id));
          const partners: (readonly bigint[])[] = [];
          if (onlyTime || onlyMode) partners.push(phys);
          // A location partner presents the program the same memory through its own translation.
          if (sameModeAndTime) {
            // The view fixes phys2 wherever both states translate; the other units are free.
            const fixed = new Map<number, bigint>();
            let consistent = true;
            for (let v = 0; v < vsize; v++) {
              const pa = trRegs(regs, BigInt(v));
              const pb = trRegs(regs2, BigInt(v));
              if (pa === null || pb === null) continue;
              const want = phys[Number(pa)]!;
              if (fixed.has(Number(pb)) && fixed.get(Number(pb)) !== want) consistent = false;
              fixed.set(Number(pb), want);
            }
            const free = [...Array(psize).keys()].filter((p) => !fixed.has(p));
            if (consistent) {
              for (const vals of assignments(free.map(() => isa.memory.unitWidth))) {
                const phys2 = [...Array(psize).keys()].map((p) => fixed.get(p) ?? vals[free.indexOf(p)]!);
                partners.push(phys2);
              }
            }
          }
          for (const phys2 of partners) {
            const s2 = build(regs2, phys2, ops);
            if (!s2) continue;
            const s2Key = key(regs2, phys2);
            for (const ch of choiceVectors) {
              const a = run(s, ch, sKey);
              const b = run(s2, ch, s2Key);
              if (a.trapped || b.trapped || !differ(s, a, s2, b)) continue;
              if (onlyMode && isAbove(s) && isGuest(s2) && sameView(s, a, s2, b) && sameSharing(s, a, s2, b)) {
                modeSensitive = true;
                vmmProblem = true; // s2 is s's counterpart, and it completed
              }
              if (sameModeAndTime && wellFormed(s) && sameSharing(s, a, s2, b)) {
                locationSensitive = true;
                if (!vmmProblem && counterpartCompletes(regs, phys, ops)) vmmProblem = true;
                if (isGuest(s) && isGuest(s2)) userLocation = true;
              }
              if (onlyTime && isGuest(s) && isGuest(s2)) timingDependent = true;
            }
          }
        }
      }
    }
  }
  return {
    privileged: !userCompletes && aboveCompletes,
    controlSensitive,
    modeSensitive,
    locationSensitive,
    userSensitive: userControl || userLocation,
    timingDependent,
    vmmProblem,
  };
}

/** The either statements of a body, in program order. */
function eitherStatements(stmts: readonly IR.Stmt[]): IR.Stmt[] {
  return stmts.flatMap((s) =>
    s.kind === "either" ? [s, ...s.branches.flatMap(eitherStatements)] : s.kind === "if" ? [...eitherStatements(s.then), ...eitherStatements(s.else)] : []);
}
