/**
 * Whether an instruction's run may depend on some bits of the state: a taint analysis. Each value
 * carries a mask of its bits that may hold (or depend on) a source bit; slices, extensions,
 * concatenations and bitwise operations move the mask bit by bit, and any other operation on a
 * tainted value taints the whole result. The run depends on the sources as soon as a tainted value
 * is written (to a register or memory), addresses memory, is a trap's argument or an output, or is
 * translate's result, or a tainted test decides an effect (control dependence; a test one of whose
 * arms always traps decides nothing between two runs that both complete). Through locals, function
 * parameters and results (each function once, context-insensitive, to a fixed point), translate
 * included unless left out.
 *
 * A run that does not depend on the sources is the same run whatever they hold, which spares the
 * classifier building the runs of a pair that differs only there:
 * - the mode bits (readsModeBits): a run that does not depend on them is the same run at every
 *   mode; the classifier builds no mode pair for it. x86's translate hands CS whole to functions
 *   that read its limit and base, never its CPL: the segment-relative arithmetic and loads do not
 *   depend on the mode.
 * - the control state but the mode bits and time, and physical memory read directly, translate
 *   left out (readsPlacement): the two states of a location pair present the program the same
 *   memory through their own translations, so a run that reads nothing else of what they differ in
 *   computes the same results in both - no location pair can differ (S/370's MVC: its 256-byte copy
 *   took a second to build as a pair whose results were the same terms).
 * - the time-varying elements (readsTime): a timing pair differs only there.
 */
import { fieldMask } from "../ir/bitops.js";
import { bodyFootprint, exprFootprint } from "../ir/footprint.js";
import * as IR from "../ir/ir.js";
import type { StateSets } from "./state-sets.js";

const ones = (w: number): bigint => (1n << BigInt(Math.max(w, 1))) - 1n;

export function readsModeBits(isa: IR.Isa, sets: StateSets, instr: IR.Instruction): boolean {
  const modeMask = new Map([...sets.mode].map(([id, { hi, lo }]) => [id, fieldMask(hi, lo)] as const));
  return dependsOn(isa, instr, modeMask, { translate: false, physical: false, presentedBanks: true });
}

/**
 * Whether a run may depend on what a location pair's states differ in: control state but the mode
 * bits and time, or physical memory read directly (not through translate). Translate is left out -
 * each state presents the program the same memory through its own - and so is a translate that
 * writes (accessed and dirty bits: the writes are where each state's tables are): such a spec
 * always counts as reading.
 */
export function readsPlacement(isa: IR.Isa, sets: StateSets, instr: IR.Instruction): boolean {
  if (isa.translate !== null) {
    const fp = bodyFootprint(isa, isa.functions[isa.translate]!.body);
    if (fp.writes.size > 0 || fp.writesMemory || fp.outputs) return true;
  }
  const sources = new Map<number, bigint>();
  for (const e of isa.state) {
    if (e.role !== "control" || sets.timing.has(e.id)) continue;
    const mode = sets.mode.get(e.id);
    sources.set(e.id, fieldMask(e.width - 1, 0) & ~(mode ? fieldMask(mode.hi, mode.lo) : 0n));
  }
  return dependsOn(isa, instr, sources, { translate: false, physical: true });
}

/** Whether a run may depend on the time-varying elements (what the spec's tick writes). */
export function readsTime(isa: IR.Isa, sets: StateSets, instr: IR.Instruction): boolean {
  const sources = new Map([...sets.timing].map((id) => [id, fieldMask(isa.state[id]!.width - 1, 0)] as const));
  return dependsOn(isa, instr, sources, { translate: true, physical: false });
}

/** Whether these statements may return (a `return` anywhere in them, not in the functions they call). */
function mayReturn(ss: readonly IR.Stmt[]): boolean {
  return ss.some((s) => s.kind === "return" || (s.kind === "if" && (mayReturn(s.then) || mayReturn(s.else))) || (s.kind === "either" && s.branches.some(mayReturn)));
}

/** Whether an expression may have an effect (through the functions it calls): a state element or memory written, an output, a halt. */
function hasEffect(isa: IR.Isa, e: IR.Expr): boolean {
  let known = effects.get(e);
  if (known === undefined) {
    const fp = exprFootprint(isa, [e]);
    effects.set(e, (known = fp.writes.size > 0 || fp.writesMemory || fp.outputs || fp.halts));
  }
  return known;
}

const effects = new WeakMap<IR.Expr, boolean>();

/** Whether running these statements always ends in a trap (one at their top level, or in both arms of an if there). */
function alwaysTraps(ss: readonly IR.Stmt[]): boolean {
  return ss.some((s) => s.kind === "trap" || (s.kind === "if" && alwaysTraps(s.then) && alwaysTraps(s.else)));
}

/**
 * Whether a run may change control state, halt or make an output: whether the semantics (through
 * the functions they call and translate) write a control element, or reach a halt or an output.
 */
export function writesControl(isa: IR.Isa, sets: StateSets, instr: IR.Instruction): boolean {
  const fp = bodyFootprint(isa, instr.body);
  return fp.outputs || fp.halts || [...fp.writes].some((id) => sets.control.has(id));
}

/**
 * The analysis: `sources` gives each element's source bits (every entry of a register file); with
 * `physical`, a load that does not translate is a source whole; with `translate` false, the spec's
 * translate is not followed (the fetch's nor the accesses').
 */
export function dependsOn(isa: IR.Isa, instr: IR.Instruction, sources: ReadonlyMap<number, bigint>, options: { translate: boolean; physical: boolean; presentedBanks?: boolean }): boolean {
  // With presentedBanks (a mode pair presents each user-visible banked register as the other state
  // saw it through its own bank): reading or writing such a register through its alias is the same
  // in both states, whatever the mode picks, so the selector's test is no dependency; reading or
  // writing one of its banks by name is (which bank the alias shows depends on the mode).
  const presented = new Map(options.presentedBanks ? isa.banked.filter((b) => b.role === "user").map((b) => [b.name, b] as const) : []);
  const bankElements = new Set([...presented.values()].flatMap((b) => b.banks.map((x) => x.element)));
  const storage = new Map([...presented].map(([name, b]) => [name, b.banks.map((x) => x.element)] as const));
  const storageOf = (bank: string | undefined) => (bank === undefined ? undefined : storage.get(bank));
  /** Whether e is the alias read of a presented banked register: an ite chain over its banks. */
  const aliasRead = (e: IR.Expr, banks: readonly number[]): boolean =>
    e.kind === "reg" ? banks.includes(e.element) : e.kind === "ite" && storageOf(e.bank) === banks && e.then.kind === "reg" && banks.includes(e.then.element) && aliasRead(e.else, banks);

  // Leaving translate out rests on each access going through the initial state's translation: a
  // run that writes a register translate reads may access memory through another one after it (a
  // random ISA whose translate is a ^ R and whose instruction sets R and then loads: the brute-force
  // agreement test's counterexample), and counts as depending. (Memory it writes does not change
  // its own translations: translate reads memory as the instruction found it.)
  if (!options.translate && isa.translate !== null) {
    const translateReads = bodyFootprint(isa, isa.functions[isa.translate]!.body).reads;
    if ([...bodyFootprint(isa, instr.body, { followTranslate: false }).writes].some((id) => translateReads.has(id))) return true;
  }
  const params = new Map<number, Map<number, bigint>>();
  const results = new Map<number, bigint>();
  const locals = new Map<number | null, Map<number, bigint>>();
  const reached = new Set<number>();
  let changed = true;
  let depends = false;

  const grow = (m: Map<number, bigint>, k: number, v: bigint): void => {
    const was = m.get(k) ?? 0n;
    if ((was | v) !== was) {
      m.set(k, was | v);
      changed = true;
    }
  };

  const analyse = (fn: number | null, body: readonly IR.Stmt[]): void => {
    let env = locals.get(fn);
    if (!env) locals.set(fn, (env = new Map()));
    // A function's parameters are locals whose masks the calls give.
    if (fn !== null) for (const [slot, m] of params.get(fn) ?? []) grow(env, slot, m);
    const sink = (m: bigint): void => {
      if (m !== 0n) depends = true;
    };
    const mask = (e: IR.Expr): bigint => {
      const w = IR.widthOf(e);
      switch (e.kind) {
        case "const":
        case "boolConst":
        case "operand":
        case "nextPc":
          return 0n;
        case "reg":
          return bankElements.has(e.element) ? ones(w) : (sources.get(e.element) ?? 0n);
        case "regFile":
          return mask(e.index) !== 0n ? ones(w) : (sources.get(e.element) ?? 0n);
        case "local":
          return env.get(e.slot) ?? 0n;
        case "slice":
          return (mask(e.value) >> BigInt(e.lo)) & ones(e.hi - e.lo + 1);
        case "concat":
          return e.parts.reduce((acc, p) => (acc << BigInt(IR.widthOf(p))) | mask(p), 0n);
        case "zext":
          return mask(e.value);
        case "sext": {
          const m = mask(e.value);
          const wv = IR.widthOf(e.value);
          return (m >> BigInt(wv - 1)) & 1n ? m | (ones(w) ^ ones(wv)) : m;
        }
        case "unary": {
          const m = mask(e.value);
          return e.op === "not" ? m : m !== 0n ? ones(w) : 0n;
        }
        case "binary": {
          const l = mask(e.left);
          const r = mask(e.right);
          if (e.op === "and" || e.op === "or" || e.op === "xor") return l | r;
          return l !== 0n || r !== 0n ? ones(w) : 0n;
        }
        case "ite": {
          const banks = storageOf(e.bank);
          if (banks && aliasRead(e, banks)) return 0n;
          const c = mask(e.cond);
          const t = mask(e.then);
          const f = mask(e.else);
          return c !== 0n ? ones(w) : t | f;
        }
        case "load":
          sink(mask(e.addr));
          return options.physical && !e.virtual ? ones(w) : 0n;
        case "call": {
          const f = isa.functions[e.fn]!;
          const p = params.get(e.fn) ?? new Map<number, bigint>();
          params.set(e.fn, p);
          f.params.forEach((param, i) => grow(p, param.slot, mask(e.args[i]!)));
          if (!reached.has(e.fn)) {
            reached.add(e.fn);
            changed = true;
          }
          return results.get(e.fn) ?? 0n;
        }
      }
    };
    /**
     * The alias write of a presented banked register (an if chain over its banks, each arm one
     * write of the same value): only the value counts. False, and nothing done, for anything else.
     */
    const aliasWrite = (st: IR.Stmt, banks: readonly number[]): boolean => {
      const arms: IR.Stmt[] = [];
      let at: IR.Stmt | undefined = st;
      while (at?.kind === "if" && storageOf(at.bank) === banks && at.then.length === 1) {
        arms.push(at.then[0]!);
        at = at.else.length === 1 ? at.else[0] : undefined;
      }
      if (!at) return false;
      arms.push(at);
      if (!arms.every((a) => a.kind === "setReg" && banks.includes(a.element))) return false;
      for (const a of arms) if (a.kind === "setReg") sink(mask(a.value));
      return true;
    };
    /**
     * The statements, under a tainted decision (`ctx`: run in one state of the pair and not in the
     * other) or not. Under one, an effect (a register or memory written, an output, a halt, a call
     * that has one) is a dependency, and a local set or a value returned is tainted whole; a
     * decision that is tainted puts its arms under one - and the rest of the list too, if an arm
     * may return (what follows runs in one state only). A function's decision that only picks what
     * it returns (x86's segment-limit test, whose result only decides a trap) is no dependency.
     */
    const stmts = (ss: readonly IR.Stmt[], ctx = false): void => {
      const under = (w: number) => (ctx ? ones(w) : 0n);
      const effect = (...es: readonly IR.Expr[]) => {
        if (ctx && es.some((e) => hasEffect(isa, e))) depends = true;
      };
      for (const s of ss) {
        switch (s.kind) {
          case "let":
          case "setLocal":
            effect(s.value);
            grow(env, s.slot, mask(s.value) | under(IR.widthOf(s.value)));
            break;
          case "setReg":
            if (bankElements.has(s.element) || ctx) depends = true;
            sink(mask(s.value));
            break;
          case "setRegFile":
            if (ctx) depends = true;
            sink(mask(s.index) | mask(s.value));
            break;
          case "store":
            if (ctx) depends = true;
            sink(mask(s.addr) | mask(s.value));
            break;
          case "if": {
            effect(s.cond);
            const banks = storageOf(s.bank);
            if (banks && aliasWrite(s, banks)) {
              if (ctx) depends = true;
              break;
            }
            // A test whose one arm always traps decides nothing between two runs that both complete
            // (what every pair the analyses spare asks for): both took the other arm.
            const tainted = !alwaysTraps(s.then) && !alwaysTraps(s.else) && mask(s.cond) !== 0n;
            stmts(s.then, ctx || tainted);
            stmts(s.else, ctx || tainted);
            if (tainted && (mayReturn(s.then) || mayReturn(s.else))) ctx = true;
            break;
          }
          case "trap":
            if (s.arg) {
              effect(s.arg);
              sink(mask(s.arg));
            }
            break;
          case "either":
            for (const b of s.branches) stmts(b, ctx);
            break;
          case "output":
            if (ctx) depends = true;
            sink(mask(s.value));
            break;
          case "return":
            if (s.value) effect(s.value);
            if (s.value && fn !== null) {
              const m = mask(s.value) | under(IR.widthOf(s.value));
              if (fn === isa.translate) sink(m);
              const was = results.get(fn) ?? 0n;
              if ((was | m) !== was) {
                results.set(fn, was | m);
                changed = true;
              }
            }
            break;
          case "call":
            effect(s.call);
            mask(s.call);
            break;
          case "halt":
            if (ctx) depends = true;
            break;
        }
      }
    };
    stmts(body);
  };

  if (isa.translate !== null && options.translate) reached.add(isa.translate);
  // To a fixed point: masks only grow, and each is bounded by its width.
  for (let round = 0; changed && !depends && round < 1000; round++) {
    changed = false;
    analyse(null, instr.body);
    for (const fn of [...reached]) analyse(fn, isa.functions[fn]!.body);
  }
  return depends || changed;
}
