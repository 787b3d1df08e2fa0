/**
 * Translates a guest basic block into one JavaScript function. Per instruction, in the order the
 * interpreter's step has them: the spec's tick, the fetch check (translate of every fetch unit,
 * inlined; a different physical address than at translation leaves the block, so a block stays
 * right when the mapping changes), then the semantics specialized to its operands. The block
 * returns how many instructions it completed (having written the PC), or -(i+1) when instruction
 * i's fetch no longer matches (its tick has run: the caller retranslates and skips that tick).
 * Traps and halts are thrown with a site code naming the instruction and phase.
 */
import { containsKind } from "../ir/contains.js";
import * as IR from "../ir/ir.js";
import type { Decoded, Decoder } from "../machine/decoder.js";
import { J, printStmts, type JExpr, type JStmt } from "./js.js";
import { limbsOf, type RegisterLayout } from "./layout.js";
import { cacheRegisters } from "./registers.js";
import { EngineError, EngineTrap, PHASE, site, type Runtime } from "./runtime.js";
import type { ModePlan } from "./mode.js";
import { Specializer, type SpecializeOptions, type TranslateHelpers } from "./specialize.js";
import { C, limbs, num, type Val } from "./values.js";

export interface BlockEntry {
  readonly kind: "instr" | "undefined" | "fetchFault";
  readonly pc: number;
  readonly nextPc: number;
  readonly decoded: Decoded | null;
  /** Physical address of each fetch unit read (for fetchFault: the ones before the fault). */
  readonly fetchPas: readonly number[];
  /** Fetch translation read memory (page tables) when the block was translated. */
  readonly fetchReadMemory: boolean;
}

export interface Block {
  readonly pc: number;
  readonly entries: readonly BlockEntry[];
  /** Runs the block (at most `budget` instructions when it loops); see translateBlock. */
  readonly run: (skip: boolean, budget: number) => number;
  /**
   * The block jumps back to its own start without returning (rt.loopDone: instructions of earlier
   * rounds). Its returns count from rt.loopDone (the engine adds it), so that they are constants:
   * V8 compiles code it has not seen run into deoptimizations, and a return computing `done + k` on
   * a path first taken when the budget ran out made it throw away and recompile a region each time.
   */
  readonly loops: boolean;
  readonly source: string;
  /** The block skips its ticks: the engine adds them to the counters (see mode.ts). */
  readonly fold: boolean;
  valid: boolean;
  /** The block that ran after this one last time, and its address (-1: none). */
  succPc: number;
  succ: Block | null;
  /**
   * Several blocks dispatching on the PC (see translateRegion): a trap's or return's entry index
   * is rt.loopBase plus its index in the current block.
   */
  readonly region: boolean;
  /**
   * Addresses the block may be entered at: its pc, and for a region the start of each of its
   * blocks (the region dispatches on the PC, so the engine runs it wherever one of them is next).
   */
  readonly starts: readonly number[];
  /** Times the engine ran it (it becomes a region past a threshold). */
  runs: number;
  /** Instructions it completed in those runs (returns only). */
  ran: number;
}

/** How a block is specialized (see mode.ts). */
export interface BlockMode {
  /** Register slots and the values the block assumes (checked at entry), or null. */
  readonly assume: ReadonlyMap<number, number> | null;
  /** Skip the ticks (their only effect in this mode is on the counters). */
  readonly fold: boolean;
}

/** What a block returns when its mode does not hold at entry (it did nothing). */
export const GUARD_FAIL = -0x40000000;

/**
 * A block returns SLOW_EXIT + n when it completed n instructions and left before the next one (the
 * PC's), having run its tick but nothing of it (see Specializer.exit): the engine runs that one
 * instruction as a block of its own.
 */
export const SLOW_EXIT = 0x40000000;

/** The statements of the exits (their PC assignments are no jump targets: see constantPcs). */
const EXITS = new WeakSet<JStmt>();

const GENERIC: BlockMode = { assume: null, fold: false };

/** What translating a block needs from the engine. */
export interface Translator {
  readonly isa: IR.Isa;
  readonly layout: RegisterLayout;
  readonly decoder: Decoder;
  readonly rt: Runtime;
  readonly options: Omit<SpecializeOptions, "journal">;
  readonly stmtTable: IR.Stmt[];
  /** Translates va for instruction fetch now (throws EngineTrap on a fault). */
  fetchTranslate(va: number): number;
  /** Counts memory units read by fetchTranslate. */
  readonly fetchReads: number;
  /** Translate helpers the specializer calls instead of inlining. */
  readonly translateHelpers: TranslateHelpers;
  /** Whether the tick is inlined (else called as TICK(pc..., site)). */
  readonly tickInline: boolean;
  /** Reads one fetch unit at pa (through the fetch overlay, if any). */
  /** A fetch unit; `first`: the first of its instruction (see InterpreterOptions.fetchOverlay). */
  fetchRead(pa: number, first: boolean): bigint;
  readonly plan: ModePlan;
  /** A tick override is set: each tick calls TICKO(site) instead of the spec's tick. */
  readonly tickOverridden: boolean;
  /** Instructions compiled to raise a trap instead of running (the VMM's patcher), or null. */
  readonly patchRule: PatchRule | null;
  /** The translate hook's answers hold until the engine is invalidated (EngineOptions.translateStable). */
  readonly translateStable?: boolean;
  /** Guest registers live in JS locals inside a block (see registers.ts; default true). */
  readonly registerLocals?: boolean;
}

/** The VMM's patcher: an instruction it selects raises `cause` (with `info`) at its address. */
export interface PatchRule {
  readonly select: (d: Decoded, pc: number) => boolean;
  readonly cause: number;
  readonly info: number;
}

/** Generated-code bindings, declared once per function (see Runtime and runtime.ts). */
export const PROLOGUE =
  "const R = rt.R, M = rt.M, F8 = M.flat8, F32 = M.flat32, SW = M.slowWrite, JN = rt.J, OUT = rt.output, OPS = rt.ops, TRAP = rt.trap, HALT = rt.halt, BADINDEX = rt.badIndex, " +
  "CHOOSE = rt.choose.bind(rt), XLATE = rt.xlate.bind(rt), TOBIG = OPS.toBig, LIMB = OPS.limb, LIMBS = OPS.limbs, BIGSEXT = OPS.bigSext, " +
  "HX = rt.helpers || {}, XR = HX.XR, XW = HX.XW, XF = HX.XF, XRJ = HX.XRJ, XWJ = HX.XWJ, TICK = rt.tickFn, TICKO = rt.tickO;";

const MAX_INSTRUCTIONS = 64;
const MAX_SOURCE = 60_000;

function vaOf(isa: IR.Isa, pc: number, k: number): number {
  const per = isa.memory.fetchUnit / isa.memory.unitWidth;
  return Number(BigInt.asUintN(isa.vaddrWidth, BigInt(pc) + BigInt(k * per)));
}

/** Fetches and decodes the instruction at pc as the machine would now. */
function decodeAt(t: Translator, pc: number): BlockEntry {
  const pas: number[] = [];
  const reads = t.fetchReads;
  let faulted = false;
  let decoded: Decoded | null = null;
  try {
    decoded = t.decoder.decode((k) => {
      const pa = t.fetchTranslate(vaOf(t.isa, pc, k));
      pas.push(pa);
      return t.fetchRead(pa, k === 0);
    });
  } catch (e) {
    if (e instanceof EngineTrap || e instanceof EngineError) faulted = true;
    else throw e;
  }
  const fetchReadMemory = t.fetchReads !== reads;
  if (faulted) return { kind: "fetchFault", pc, nextPc: pc, decoded: null, fetchPas: pas, fetchReadMemory };
  if (!decoded) return { kind: "undefined", pc, nextPc: pc, decoded: null, fetchPas: pas, fetchReadMemory };
  const nextPc = Number(BigInt.asUintN(t.isa.vaddrWidth, BigInt(pc) + BigInt(decoded.units)));
  return { kind: "instr", pc, nextPc, decoded, fetchPas: pas, fetchReadMemory };
}

/** Statements that set the PC register to a constant. */
function setPc(t: Translator, pc: number): JStmt[] {
  const el = t.isa.pc;
  const w = t.isa.state[el]!.width;
  const base = t.layout.offset[el]!;
  return limbs(C(BigInt(pc)), w).map((e, j) => J.assign(J.index(J.id("R"), J.num(base + j)), e));
}

interface Region {
  readonly sp: Specializer;
  readonly code: JStmt[];
}

function region(t: Translator, index: number, phase: number, journal: boolean, pc: number, f: (sp: Specializer) => void, inline = false, assume: Map<number, number> | null = null): Region {
  const sp = new Specializer(t.isa, t.layout, { ...t.options, journal }, t.stmtTable, `i${index}_${phase}_${journal ? "j" : ""}`);
  sp.assume = assume;
  sp.helperWrites = t.plan.helperWrites;
  sp.site = site(index, phase);
  sp.helpers = inline ? null : t.translateHelpers;
  sp.pc = BigInt(pc);
  sp.nextPc = C(BigInt(pc));
  f(sp);
  return { sp, code: sp.out };
}

/**
 * The fetch check of one entry: translate each unit again and compare. Its readSlots are those of
 * the inlined translate even where the code calls the translate helper (the fetch guard needs them).
 */
function fetchCheck(t: Translator, index: number, e: BlockEntry, assume: Map<number, number> | null): Region {
  const code = fetchCheckRegion(t, index, e, false, assume);
  if (!t.translateHelpers.fetch) return code;
  const inlined = fetchCheckRegion(t, index, e, true, assume && new Map(assume));
  for (const s of inlined.sp.readSlots) code.sp.readSlots.add(s);
  return code;
}

function fetchCheckRegion(t: Translator, index: number, e: BlockEntry, inline: boolean, assume: Map<number, number> | null): Region {
  return region(t, index, PHASE.fetch, false, e.pc, (sp) => {
    const units = e.kind === "fetchFault" ? e.fetchPas.length + 1 : e.fetchPas.length;
    for (let k = 0; k < units && sp.reachable; k++) {
      const pa = sp.translate(C(BigInt(vaOf(t.isa, e.pc, k))), IR.ACCESS.FETCH);
      if (!sp.reachable) break;
      const expected = e.fetchPas[k];
      const leave = [...setPc(t, e.pc), J.ret(J.num(-(index + 1)))];
      if (expected === undefined) {
        leave.forEach((s) => sp.emit(s));
        sp.reachable = false;
      } else if (pa.k === "c") {
        if (Number(pa.v) !== expected) {
          leave.forEach((s) => sp.emit(s));
          sp.reachable = false;
        }
      } else {
        sp.emit(J.if(J.bin("!==", num(pa), J.num(expected)), leave));
      }
    }
    if (e.kind === "undefined" && sp.reachable) {
      sp.emit(J.throw(J.call(J.id("TRAP"), J.num(t.isa.undefinedCause), J.num(0), J.num(site(index, PHASE.fetch)))));
      sp.reachable = false;
    }
  }, inline, assume);
}

/**
 * The code of instruction `index` (the i-th of its block: `exit` leaves before it, see
 * Specializer.exit; null in a block of one instruction, which is where the engine runs it then).
 */
function execute(t: Translator, index: number, e: BlockEntry, journal: boolean, assume: Map<number, number> | null, exit: number | null): Region {
  const d = e.decoded!;
  const p = t.patchRule;
  return region(t, index, PHASE.exec, journal, e.pc, (sp) => {
    sp.nextPc = C(BigInt(e.nextPc));
    if (exit !== null) {
      const leave = [...setPc(t, e.pc), J.ret(J.num(SLOW_EXIT + exit))];
      leave.forEach((s) => EXITS.add(s));
      sp.exit = leave;
    }
    if (p !== null && p.select(d, e.pc)) {
      // Patched: the instruction traps at its own address instead of running.
      sp.effects = true;
      sp.emit(J.throw(J.call(J.id("TRAP"), J.num(p.cause), J.num(p.info), J.num(site(index, PHASE.exec)))));
      sp.reachable = false;
      return;
    }
    sp.body(d.instruction.body, d.operands);
  }, false, assume);
}

/** Whether the tick's non-counter part has no effect in the mode (then a block may skip its ticks). */
function tickIsQuiet(t: Translator, assume: ReadonlyMap<number, number>): boolean {
  const rest = t.plan.tickRest;
  if (rest === null || t.tickOverridden) return false;
  const sp = new Specializer(t.isa, t.layout, { ...t.options, journal: false }, [], "q");
  sp.assume = new Map(assume);
  sp.body(rest, new Map());
  return sp.reachable && !sp.effects && !sp.writesPc;
}

/** The block's mode for the current register values: assume the plan's slots, fold ticks if quiet. */
export function currentMode(t: Translator): BlockMode {
  // Hooks may read or change registers behind the block's back: no mode with them.
  if (t.plan.slots.length === 0 || t.tickOverridden || t.options.translateHook || t.options.choose) return GENERIC;
  const assume = new Map(t.plan.slots.map((s) => [s, t.rt.R[s]!]));
  return { assume, fold: t.isa.tick !== null && tickIsQuiet(t, assume) };
}

interface Piece {
  readonly tick: JStmt[];
  readonly fetch: Region;
  readonly rest: JStmt[];
}

/**
 * The fetch guard: when no fetch translation of the block read memory, each is a function of the
 * registers it read (and its address). If those registers hold what they held at translation and
 * no instruction of the block writes them, every fetch translates as it did: one comparison at
 * entry replaces a translate per fetch unit.
 */
function guard(t: Translator, slots: ReadonlySet<number>, pc: number): JStmt[] {
  if (slots.size === 0) return [];
  const R = J.id("R");
  const tests = [...slots].sort((a, b) => a - b).map((s) => J.bin("!==", J.index(R, J.num(s)), J.num(t.rt.R[s]!)));
  return [J.if(tests.reduce((x, y) => J.bin("||", x, y)), [...setPc(t, pc), J.ret(J.num(-1))])];
}

/** Translates the block at pc (at most `max` instructions) in a mode (default: none). */
export function translateBlock(t: Translator, pc: number, max = MAX_INSTRUCTIONS, mode: BlockMode = GENERIC): Block {
  const b = translateBody(t, pc, max, mode, 0);
  const { entries, body, jumps, entryGuard, modeKept } = b;
  // Blocks that may jump back to their start loop in place (see loop()).
  const loops = jumps.size > 0 && !returnsNegative(body);
  const code = loops ? loop(t, pc, entries.length, modeKept ? entryGuard : [], modeKept ? body : [...entryGuard, ...body], jumps) : [...entryGuard, ...body];
  return assemble(t, pc, entries, code, b.temps, b.fold, loops, null);
}

function assemble(t: Translator, pc: number, entries: readonly BlockEntry[], code: readonly JStmt[], temps: readonly string[], fold: boolean, loops: boolean, starts: readonly number[] | null): Block {
  const decls: JStmt = { k: "let", names: ["pcw = false", "slow = false", ...new Set(temps)] };
  const body = t.registerLocals === false ? code : cacheRegisters(code, { reads: new Set(t.plan.helperReads), writes: new Set(t.plan.helperWrites) });
  const source = `${PROLOGUE}\nreturn function block(skip, budget) {\n${printStmts([decls, ...body], "  ")}\n};`;
  const factory = new Function("rt", source) as (rt: Runtime) => (skip: boolean, budget: number) => number;
  return { pc, entries, run: factory(t.rt), source, fold, loops, region: starts !== null, starts: starts ?? [pc], valid: true, succPc: -1, succ: null, runs: 0, ran: 0 };
}

/** A block's code before it becomes a function (see translateBlock and translateRegion). */
interface Body {
  readonly entries: BlockEntry[];
  /** The instructions' code; every path ends in a return or a throw. */
  readonly body: JStmt[];
  readonly entryGuard: JStmt[];
  readonly temps: string[];
  /** Returns after an instruction wrote the PC. */
  readonly jumps: Set<JStmt>;
  /** Returns where the block ends with the PC set to the next instruction (it may continue there). */
  readonly tails: Set<JStmt>;
  readonly fold: boolean;
  /** No instruction of the block writes a register of its mode. */
  readonly modeKept: boolean;
  /** Addresses the block may go to next: constant jump targets, the fall-through, return addresses. */
  readonly successors: Set<number>;
}

/**
 * The code of the block at pc, its instructions numbered from `base` in trap sites (a region's
 * blocks share one entry list).
 */
function translateBody(t: Translator, pc: number, max: number, mode: BlockMode, base: number, exits = max > 1): Body {
  const fold = mode.fold && t.isa.tick !== null;
  const assume = mode.assume && mode.assume.size > 0 ? new Map(mode.assume) : null;
  const entries: BlockEntry[] = [];
  const pieces: Piece[] = [];
  const temps: string[] = [];
  const guardSlots = new Set<number>();
  const written = new Set<number>();
  let hoist = !t.options.translateHook || t.translateStable === true;
  let tail: JStmt[] = [];
  /** The returns after an instruction wrote the PC (where the block may loop). */
  const jumps = new Set<JStmt>();
  const successors = new Set<number>();
  let size = 0;
  let at = pc;
  for (let i = 0; i < max; i++) {
    const e = decodeAt(t, at);
    const fetch = fetchCheck(t, base + i, e, assume);
    const clobbered = [...fetch.sp.readSlots].some((s) => written.has(s));
    if (i > 0 && (e.kind !== "instr" || clobbered || e.fetchReadMemory !== entries[0]!.fetchReadMemory)) {
      // The next instruction faults, is undefined, or fetches through registers this block wrote:
      // it starts a block of its own.
      const prev = entries[i - 1]!;
      tail = [...setPc(t, prev.nextPc), J.ret(J.num(i))];
      break;
    }
    entries.push(e);
    if (e.kind !== "instr" || e.fetchReadMemory) hoist = false;
    for (const s of fetch.sp.readSlots) guardSlots.add(s);
    temps.push(...fetch.sp.temps);
    const tickCode: JStmt[] = [J.comment(`${i}: ${e.kind === "instr" ? e.decoded!.instruction.name : e.kind} @ 0x${e.pc.toString(16)}`)];
    let stop = false;
    if ((t.isa.tick !== null || t.tickOverridden) && !fold) {
      const tick = tickRegion(t, base + i, e.pc, assume);
      if (tick.sp.writesPc) throw new Error("engine: a tick that writes the PC is not supported");
      for (const s of tick.sp.writtenSlots) if (guardSlots.has(s) || fetch.sp.readSlots.has(s)) hoist = false;
      temps.push(...tick.sp.temps);
      if (i === 0) tickCode.push(J.if(J.un("!", J.id("skip")), tick.code));
      else tickCode.push(...tick.code);
      if (!tick.sp.reachable) stop = true;
      // A tick that wrote this instruction's code (S/370's interval timer in low memory, where a
      // program may run): the instruction is fetched again, as the interpreter fetches after the
      // tick (the engine translates anew and skips the tick, which has run).
      else if (tick.sp.storedMemory) tickCode.push(J.if(J.member(J.id("rt"), "stale"), [...setPc(t, e.pc), J.ret(J.num(-(i + 1)))]));
    }
    if (stop || e.kind !== "instr" || !fetch.sp.reachable) {
      pieces.push({ tick: tickCode, fetch, rest: [] });
      hoist = false;
      break;
    }
    const rest: JStmt[] = [];
    const before = assume && new Map(assume);
    const exit = exits ? i : null;
    let exec = execute(t, base + i, e, false, assume, exit);
    if (exec.sp.trapAfterWrite || exec.sp.translateAfterStore) {
      if (assume) restore(assume, before!);
      exec = execute(t, base + i, e, true, assume, exit);
    }
    const sp = exec.sp;
    if (fold && touches(sp, t.plan.counterSlots)) {
      // It reads or writes a counter, which a folded block brings up to date only at its end.
      if (i === 0) return translateBody(t, pc, 1, { assume: mode.assume, fold: false }, base, exits);
      entries.pop();
      tail = [...setPc(t, e.pc), J.ret(J.num(i))];
      break;
    }
    // In a folded block, a write to the mode ends the block (the next tick may not be quiet).
    const modeWritten = fold && assume !== null && assume.size < before!.size;
    temps.push(...sp.temps);
    for (const s of sp.writtenSlots) written.add(s);
    if (sp.writesPc) {
      rest.push(J.assign(J.id("pcw"), J.bool(false)));
      // A call's return address is where a return is likely to go.
      successors.add(e.nextPc);
      constantPcs(t, exec.code, successors);
    }
    rest.push(...exec.code);
    pieces.push({ tick: tickCode, fetch, rest });
    if (!sp.reachable) break;
    if (sp.options.journal) rest.push(J.assign(J.member(J.id("JN"), "n"), J.num(0)));
    const leave = (): JStmt[] => [...setPc(t, e.nextPc), J.ret(J.num(i + 1))];
    const jumped = J.ret(J.num(i + 1));
    jumps.add(jumped);
    // A write into translated code goes through the memory's methods (which set rt.stale); the
    // inlined fast stores set `slow` when they take that path. After such a write the block leaves
    // (to the engine, which translates again), also where the instruction jumped (x86's CALL
    // pushing over code): a looping block or a region must not go round again.
    const stale = J.member(J.id("rt"), "stale");
    const staleTest = sp.slowStores ? stale : J.bin("&&", J.id("slow"), stale);
    const leaveIfStale = (): JStmt[] => (sp.codeStores ? [J.if(staleTest, [J.ret(J.num(i + 1))])] : []);
    if (sp.pcState === "yes") {
      rest.push(...leaveIfStale(), jumped);
      break;
    }
    if (sp.pcState === "maybe") rest.push(J.if(J.id("pcw"), [...leaveIfStale(), jumped]));
    if (sp.codeStores) rest.push(J.if(staleTest, leave()));
    size += printStmts(rest).length + printStmts(tickCode).length;
    at = e.nextPc;
    if (i === max - 1 || size > MAX_SOURCE || modeWritten) {
      tail = leave();
      break;
    }
  }
  const entryGuard: JStmt[] = [];
  if (mode.assume && mode.assume.size > 0) {
    const R = J.id("R");
    const tests = [...mode.assume].map(([s, v]) => J.bin("!==", J.index(R, J.num(s)), J.num(v)));
    entryGuard.push(J.if(tests.reduce((x, y) => J.bin("||", x, y)), [J.ret(J.num(GUARD_FAIL))]));
  }
  const body: JStmt[] = [];
  pieces.forEach((p, i) => {
    body.push(...p.tick);
    if (!hoist) body.push(...p.fetch.code);
    else if (i === 0) body.push(...guard(t, guardSlots, p.fetch.sp.pc === null ? pc : Number(p.fetch.sp.pc)));
    body.push(...p.rest);
  });
  body.push(...tail);
  const tails = new Set<JStmt>();
  const last = tail[tail.length - 1];
  if (last !== undefined && last.k === "return") {
    tails.add(last);
    constantPcs(t, tail, successors);
  }
  const modeKept = assume === null || assume.size === mode.assume!.size;
  return { entries, body, entryGuard, temps, jumps, tails, fold, modeKept, successors };
}

/** Adds the constants the code assigns to the PC register (jump targets) to `out`. */
function constantPcs(t: Translator, list: readonly JStmt[], out: Set<number>): void {
  const slot = t.layout.offset[t.isa.pc]!;
  const L = t.layout.limbs[t.isa.pc]!;
  if (L > 2) return;
  /** The constant s assigns to R[at], or null. */
  const constantTo = (s: JStmt | undefined, at: number): number | null =>
    s !== undefined && s.k === "assign" && s.target.k === "index" && s.target.obj.k === "id" && s.target.obj.name === "R" && s.target.at.k === "num" && s.target.at.v === at && s.value.k === "num" ? s.value.v : null;
  const visit = (l: readonly JStmt[]): void => {
    for (let i = 0; i < l.length; i++) {
      const s = l[i]!;
      if (EXITS.has(s)) continue;
      const lo = constantTo(s, slot);
      // setPc writes the limbs one after the other.
      const hi = L === 1 ? 0 : constantTo(l[i + 1], slot + 1);
      if (lo !== null && hi !== null) out.add(lo + hi * 2 ** 32);
      else if (s.k === "if") {
        visit(s.then);
        visit(s.else);
      } else if (s.k === "label") visit(s.body);
      else if (s.k === "switch") s.cases.forEach((c) => visit(c.body));
    }
  };
  visit(list);
}

/** The PC register's value (a number: at most 2 limbs, as the engine's pc). */
function pcValue(t: Translator): JExpr {
  const at = t.layout.offset[t.isa.pc]!;
  const slot = (j: number) => J.index(J.id("R"), J.num(at + j));
  if (t.layout.limbs[t.isa.pc] === 1) return slot(0);
  return J.bin("+", slot(0), J.bin("*", slot(1), J.num(2 ** 32)));
}

/** Whether the PC register holds pc. */
function pcIs(t: Translator, pc: number): JExpr {
  const at = t.layout.offset[t.isa.pc]!;
  const w = t.isa.state[t.isa.pc]!.width;
  return limbs(C(BigInt(pc)), w)
    .map((e, j) => J.bin("===", J.index(J.id("R"), J.num(at + j)), e))
    .reduce((x, y) => J.bin("&&", x, y));
}

/** Blocks in one region at most, and instructions in all. */
const REGION_BLOCKS = 24;
const REGION_INSTRUCTIONS = 400;
/**
 * Printed source of a region at most: V8 optimizes large functions with many temporaries poorly
 * (x86's flag updates make each instruction long; its sieve ran 3x slower as one 60 KB region).
 */
const REGION_SOURCE = 16_000;

/**
 * A region: the block at pc and the blocks it may go to (constant jump targets, fall-throughs,
 * return addresses, transitively) compiled into one function that dispatches on the PC, so control
 * moving between them (a loop of several blocks, calls and returns) stays inside it. Each block
 * must keep the mode and never leave for a fetch check; null when no other block qualifies.
 * Returns count all instructions run; rt.loopDone and rt.loopBase tell the engine the instructions
 * run before the current (or last) block and where its entries start.
 */
export function translateRegion(t: Translator, pc: number, max: number, mode: BlockMode): Block | null {
  if (t.layout.limbs[t.isa.pc]! > 2) return null;
  const eligible = (b: Body) => b.modeKept && b.entries.length > 0 && b.entries[0]!.kind === "instr" && !returnsNegative(b.body);
  const first = translateBody(t, pc, max, mode, 0);
  if (!eligible(first)) return null;
  // Trap sites count from each block's start (the engine adds rt.loopBase).
  const blocks: { pc: number; base: number; body: Body }[] = [{ pc, base: 0, body: first }];
  const seen = new Set([pc]);
  const queue = [...first.successors];
  let count = first.entries.length;
  // V8 does not optimize very large functions: a region stays within a block's source size.
  let size = printStmts(first.body).length;
  while (queue.length > 0 && blocks.length < REGION_BLOCKS && count < REGION_INSTRUCTIONS) {
    const at = queue.shift()!;
    if (seen.has(at)) continue;
    seen.add(at);
    const b = translateBody(t, at, max, mode, 0);
    if (!eligible(b) || b.fold !== first.fold) continue;
    const more = printStmts(b.body).length;
    if (size + more > REGION_SOURCE) continue;
    size += more;
    blocks.push({ pc: at, base: count, body: b });
    count += b.entries.length;
    queue.push(...b.successors);
  }
  if (blocks.length === 1) return null;
  // A block running into the start of another ends there (control goes on through the dispatch):
  // each instruction is compiled once, and V8 has less code to compile and fewer paths it has not
  // seen run (each of which costs a deoptimization and a recompilation when first taken).
  const starts = new Set(blocks.map((b) => b.pc));
  count = 0;
  for (const b of blocks) {
    const cut = b.body.entries.findIndex((e, k) => k > 0 && starts.has(e.pc));
    if (cut > 0) {
      const shorter = translateBody(t, b.pc, cut, mode, 0, true);
      if (eligible(shorter) && shorter.fold === first.fold) b.body = shorter;
    }
    b.base = count;
    count += b.body.entries.length;
  }
  const longest = Math.max(...blocks.map((b) => b.body.entries.length));
  const done = J.id("done");
  const rt = (name: string) => J.member(J.id("rt"), name);
  const rewrite = (list: readonly JStmt[], b: Body): JStmt[] =>
    list.map((s): JStmt => {
      switch (s.k) {
        case "return": {
          // Counts are returned from rt.loopDone (see Block.loops): the return stays a constant.
          if (s.e === null || s.e.k !== "num" || !b.jumps.has(s) && !b.tails.has(s)) return s;
          const total = J.bin("+", done, s.e);
          // The PC is set: go on inside the region if a whole block more fits the budget.
          const again = J.bin("<=", J.bin("+", total, J.num(longest)), J.id("budget"));
          return J.if(again, [J.assign(done, total), J.assign(J.id("skip"), J.bool(false)), { k: "continue", label: "round" }], [s]);
        }
        case "if": return J.if(s.c, rewrite(s.then, b), rewrite(s.else, b));
        case "label": return { k: "label", label: s.label, body: rewrite(s.body, b) };
        case "switch": return { ...s, cases: s.cases.map((c) => ({ value: c.value, body: rewrite(c.body, b) })) };
        default: return s;
      }
    });
  const cases = blocks.map((b) => ({
    value: b.pc,
    // Set on entering each block (not on leaving one), so they still name the last block run when control leaves the region.
    body: [J.assign(rt("loopBase"), J.num(b.base)), J.assign(rt("loopDone"), done), ...rewrite(b.body.body, b.body), J.throw(J.call(J.id("Error"), J.str("engine: a region's block fell through")))],
  }));
  // Leaving for an address outside the region: `done` > 0 there (the first dispatch is to pc).
  const dispatch: JStmt = { k: "switch", on: pcValue(t), cases: [...cases, { value: null, body: [J.ret(J.bin("-", done, rt("loopDone")))] }] };
  const code: JStmt[] = [
    { k: "let", names: ["done = 0"] },
    J.assign(rt("loopDone"), J.num(0)),
    ...first.entryGuard,
    { k: "loop", label: "round", body: [dispatch] },
  ];
  const entries = blocks.flatMap((b) => b.body.entries);
  const temps = blocks.flatMap((b) => b.body.temps);
  return assemble(t, pc, entries, code, temps, first.fold, true, blocks.map((b) => b.pc));
}

/** Whether any return gives a negative count (a fetch-check exit; the mode guard's GUARD_FAIL aside). */
function returnsNegative(list: readonly JStmt[]): boolean {
  return list.some((s) => {
    switch (s.k) {
      case "return": return s.e !== null && s.e.k === "num" && s.e.v < 0 && s.e.v !== GUARD_FAIL;
      case "if": return returnsNegative(s.then) || returnsNegative(s.else);
      case "label":
      case "loop": return returnsNegative(s.body);
      case "switch": return s.cases.some((c) => returnsNegative(c.body));
      default: return false;
    }
  });
}

/**
 * The block as a loop: where an instruction wrote the PC and it is the block's start, and a whole
 * round more fits the budget, go round again (the mode guard is checked each round unless nothing in
 * the block writes the mode). Returns count the instructions of every round (`done` + this round's);
 * rt.loopDone tells the engine the earlier rounds' count when a trap leaves the block.
 */
function loop(t: Translator, pc: number, n: number, outside: JStmt[], body: JStmt[], jumps: ReadonlySet<JStmt>): JStmt[] {
  const done = J.id("done");
  const rewrite = (list: readonly JStmt[]): JStmt[] =>
    list.map((s): JStmt => {
      switch (s.k) {
        case "return": {
          if (s.e === null || s.e.k !== "num") return s;
          if (s.e.v === GUARD_FAIL) return J.ret(J.cond(J.bin("===", done, J.num(0)), s.e, J.num(0)));
          // Counts are returned from rt.loopDone (see Block.loops): the return stays a constant.
          if (!jumps.has(s)) return s;
          const count = J.bin("+", done, s.e);
          const again = J.bin("&&", pcIs(t, pc), J.bin("<=", J.bin("+", count, J.num(n)), J.id("budget")));
          return J.if(again, [J.assign(done, count), J.assign(J.member(J.id("rt"), "loopDone"), done), J.assign(J.id("skip"), J.bool(false)), { k: "continue", label: "round" }], [s]);
        }
        case "if": return J.if(s.c, rewrite(s.then), rewrite(s.else));
        case "label": return { k: "label", label: s.label, body: rewrite(s.body) };
        case "switch": return { ...s, cases: s.cases.map((c) => ({ value: c.value, body: rewrite(c.body) })) };
        default: return s;
      }
    });
  return [{ k: "let", names: ["done = 0"] }, J.assign(J.member(J.id("rt"), "loopDone"), J.num(0)), ...rewrite(outside), { k: "loop", label: "round", body: rewrite(body) }];
}

/** The tick of instruction i: the override, the spec's tick inlined (if short) or called. */
function tickRegion(t: Translator, i: number, pc: number, assume: Map<number, number> | null): Region {
  const s = site(i, PHASE.tick);
  const call = (sp: Specializer) => {
    sp.emit(J.expr(J.call(J.id("TICK"), ...limbs(C(BigInt(pc)), t.isa.state[t.isa.pc]!.width), J.num(s))));
    sp.calledHelper();
    if (containsKind(t.isa, t.isa.functions[t.isa.tick!]!.body, "store")) sp.storedMemory = true;
  };
  // The override may write guest memory (a VMM's virtual timer): as a store.
  if (t.tickOverridden) return region(t, i, PHASE.tick, false, pc, (sp) => ((sp.storedMemory = true), sp.emit(J.expr(J.call(J.id("TICKO"), J.num(s))))));
  const body = t.isa.functions[t.isa.tick!]!.body;
  if (t.tickInline) return region(t, i, PHASE.tick, false, pc, (sp) => sp.body(body, new Map()), false, assume);
  if (assume === null) return region(t, i, PHASE.tick, false, pc, call);
  // In the block's mode the tick may be short enough to inline.
  const trial = new Map(assume);
  const inl = region(t, i, PHASE.tick, false, pc, (sp) => sp.body(body, new Map()), false, trial);
  if (printStmts(inl.code).split("\n").length > INLINE_TICK_LINES) return region(t, i, PHASE.tick, false, pc, call, false, assume);
  restore(assume, trial);
  return inl;
}

const INLINE_TICK_LINES = 24;

function restore(target: Map<number, number>, from: ReadonlyMap<number, number>): void {
  target.clear();
  for (const [k, v] of from) target.set(k, v);
}

function touches(sp: Specializer, slots: ReadonlySet<number>): boolean {
  if (slots.size === 0) return false;
  for (const s of sp.readSlots) if (slots.has(s)) return true;
  for (const s of sp.writtenSlots) if (slots.has(s)) return true;
  return false;
}

/** The physical addresses (units) a block was fetched from. */
export function fetchedUnits(isa: IR.Isa, b: Block): number[] {
  const per = isa.memory.fetchUnit / isa.memory.unitWidth;
  const out: number[] = [];
  for (const e of b.entries) for (const pa of e.fetchPas) for (let j = 0; j < per; j++) out.push(pa + j);
  return out;
}

export { limbsOf, type Val };
