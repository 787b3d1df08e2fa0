/**
 * Symbolic execution of the IR into Z3 terms. The IR is loop-free and recursion-free, so execution
 * is *guarded* rather than forking: both arms of every `if` run, each under its condition, and every
 * effect is applied as `ite(active, new, old)`. The result is one term per final state element plus
 * the flags the classifier needs (trapped, memory-trapped, halted, output, PC written).
 *
 * Memory is physical, exactly as the interpreter has it: a virtual access runs the spec's translate
 * (which may trap) and reads or writes physical memory at the address it returns. Every access is
 * recorded with its guard, virtual address and physical address, so that relational queries can
 * say "the program sees the same memory" and witnesses can be turned into concrete states.
 */
import { functionFootprint, type Footprint } from "../ir/footprint.js";
import * as IR from "../ir/ir.js";
import { binop } from "../ir/pure.js";
import type { Arr, B, BV, Z3 } from "./z3.js";

export type Sym = BV | B;

/** One symbolic machine state. */
export interface SymState {
  /** regs[element][index] */
  readonly regs: BV[][];
  readonly phys: Arr;
}

export interface Access {
  readonly guard: B;
  /** Virtual address of the access as a whole (null for a physical access): translate sees this one. */
  readonly va: BV | null;
  /** Which memory unit of the access this is: it lives at translate(va) + offset. */
  readonly offset: number;
  readonly pa: BV;
  readonly kind: "read" | "write" | "fetch";
}

export interface EitherChoice {
  readonly stmt: IR.Stmt;
  readonly guard: B;
  readonly choice: BV;
}

/** What one symbolic run of an instruction produced. */
export interface RunResult {
  readonly initial: SymState;
  readonly final: SymState;
  /** Any trap, including memory traps and traps during fetch. */
  readonly trapped: B;
  readonly memTrapped: B;
  readonly halted: B;
  readonly output: B;
  readonly finalPc: BV;
  readonly accesses: readonly Access[];
  readonly eithers: readonly EitherChoice[];
  /**
   * For a run over a shared view that no store bypassed: the final value of a unit as the program
   * sees it through the initial translation, and the links (growing as cells are read) that tie
   * the view's names to this run's initial memory. Null otherwise.
   */
  readonly view: {
    read(va: BV, offset: number): BV;
    links(): readonly B[];
    readonly cells: ReadonlyMap<string, Cell>;
    /** The shared view, and the id of the stores made through it (runs with equal ids read equal terms). */
    readonly shared: SharedView;
    readonly signature: number;
    /** Whether every store the view placed kept its cell's permission (else reads may fall back to the run's own memory). */
    readonly exact: boolean;
  } | null;
  /**
   * The links of every shared-view name this run used, and the cells it placed, whether or not the
   * view lasted to the end: values loaded through the view before it broke are view names too, and
   * a query must tie them to this run's memory. Null when the run had no view.
   */
  readonly viewUse: {
    links(): readonly B[];
    readonly cells: ReadonlyMap<string, Cell>;
    /**
     * Whether the run read memory the view could not place (after translate's registers changed,
     * or after a store broke the view): such a read sees the run's own memory, which the view's
     * links say nothing about, so a query must say how the pair presents memory everywhere.
     */
    readonly offView: boolean;
  } | null;
}

/** A memory unit named by the program: translate(va) + offset for one kind of access. */
export interface Cell {
  readonly key: string;
  readonly va: BV;
  readonly offset: number;
  readonly access: bigint;
  /** Where the initial state puts it, and whether the initial state translates va without a trap. */
  readonly pa: BV;
  readonly ok: B;
  /** Physical memory translate looked at to place it (tables), for concrete witnesses. */
  readonly walk: readonly Access[];
}

/**
 * Memory as the program sees it, shared by the two runs of a location pair: one name per unit for
 * its initial contents. Each run links the names to its own physical memory (where it translates
 * the address), so the two runs' loaded values are the same terms exactly when the pair presents
 * the program the same memory - which the location query assumes - and Z3's hash-consing then
 * makes most results of the two runs syntactically equal.
 */
export class SharedView {
  private readonly names = new Map<string, BV>();
  readonly translateFootprint: Footprint;

  /**
   * @param prove decides, on the spot, whether a claim over one run's terms holds in every state
   *   (see proved); without it, nothing is taken as proved.
   */
  constructor(
    private readonly Z: Z3,
    private readonly isa: IR.Isa,
    private readonly prove: (claim: B) => boolean = () => false,
  ) {
    this.translateFootprint = isa.translate === null
      ? { reads: new Set(), writes: new Set(), readsMemory: false, writesMemory: false, chooses: false, outputs: false, halts: false }
      : functionFootprint(isa, isa.translate);
  }

  private readonly shared = new Map<string, B>();

  /**
   * Whether a claim holds in every state, proved once per key and context (see SymRun.narrowed): an access made
   * after the instruction changed translate's registers, allowed only where the initial state
   * allows it too (ARM's LDRT: User permissions are a subset of PL1's), keeps the view's term exact.
   */
  proved(key: string, claim: () => B): boolean {
    // Per context, not per view: the pairs of one instruction share their initial states.
    return memoTerm(this.Z, `proved ${key}`, () => this.prove(claim()));
  }

  /** The shared name of "these two cells are one physical unit". */
  sharing(x: Cell, y: Cell): { name: B; key: string } {
    const key = x.key < y.key ? `${x.key}&${y.key}` : `${y.key}&${x.key}`;
    let name = this.shared.get(key);
    if (!name) {
      name = this.Z.Bool.const(`shared.${this.shared.size}`);
      this.shared.set(key, name);
    }
    return { name, key };
  }

  /**
   * Log signatures: an id for each sequence of view stores (cell, value term, guard term) that some
   * run of this pair has made, extended one store at a time. Two runs with the same id made the
   * very same stores, so a read of the same cell gives the same term in both (see `read`).
   */
  private readonly signatures = new Map<string, number>();

  /** The id of the store sequence `previous` followed by one more store. */
  extend(previous: number, cellKey: string, value: BV, guard: B): number {
    const key = `${previous}|${cellKey}|${termId(value)}|${termId(guard)}`;
    let id = this.signatures.get(key);
    if (id === undefined) {
      id = this.signatures.size + 1;
      this.signatures.set(key, id);
    }
    return id;
  }

  /** Terms of view reads already built, by store-sequence id and cell. */
  private readonly reads = new Map<string, BV>();

  /**
   * The value of a cell after the store sequence `signature`: a read's term is a function of the
   * stores before it (their cells, values and guards), the cell and the view's shared names, all of
   * which the two runs share, so a term one run built is the term the other would build.
   */
  read(signature: number, cellKey: string, build: () => BV): BV {
    const key = `${signature}|${cellKey}`;
    let v = this.reads.get(key);
    if (!v) {
      v = build();
      this.reads.set(key, v);
    }
    return v;
  }

  /** The shared name of a unit's initial contents. */
  initial(c: Cell): BV {
    let v = this.names.get(c.key);
    if (!v) {
      v = this.Z.BitVec.const(`view.${this.names.size}`, this.isa.memory.unitWidth);
      this.names.set(c.key, v);
    }
    return v;
  }
}

/**
 * t[hi:lo], looking through concatenations: a slice that falls inside one part is that part (or a
 * slice of it). Pairs of states are built by splicing shared bits into fresh registers (a location
 * pair keeps the mode bits of CPSR); this keeps a read of the shared bits the very same term in both
 * runs, so everything computed from them (ARM's banked registers) stays identical too.
 */
export function extractBits(Z: Z3, t: BV, hi: number, lo: number): BV {
  const k = constOf(t);
  if (k !== undefined) return symConst(Z, (k >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n), hi - lo + 1);
  // Looking into a term takes several calls into Z3, and runs slice the same fields of the same
  // registers over and over (ARM's condition flags and mode bits): four in five slices are repeats.
  return memoOp(Z, "slice", termPtr(t), hi, lo, () => sliceOf(Z, t, hi, lo));
}

function sliceOf(Z: Z3, t: BV, hi: number, lo: number): BV {
  if (lo === 0 && hi === t.size() - 1) return t;
  if (Z.isAppOf(t, Z3_OP_CONCAT)) {
    let top = t.size();
    for (let i = 0; i < t.numArgs(); i++) {
      // arg() makes a new wrapper: a numeral part must be made known again to be folded.
      const arg = t.arg(i) as BV;
      const part = Z.isBitVecVal(arg) ? symConst(Z, arg.value(), arg.size()) : arg;
      const bottom = top - part.size();
      if (lo >= bottom && hi < top) return extractBits(Z, part, hi - bottom, lo - bottom);
      top = bottom;
    }
  }
  return t.extract(hi, lo);
}

/** Z3's declaration kind of bit-vector concatenation (Z3_decl_kind.Z3_OP_CONCAT). */
const Z3_OP_CONCAT = 1056;

/** Numerals created through symConst, with their values: what symbolic execution folds. */
const constants = new WeakMap<object, bigint>();

/**
 * Numerals already made, per context: symbolic execution asks for the same few constants over and
 * over, and each request would otherwise cross into Z3 and wrap a new object.
 */
const numerals = new WeakMap<Z3, Map<string, BV>>();

/** A bit-vector numeral that symbolic execution knows the value of (and folds operations on). */
export function symConst(Z: Z3, value: bigint, width: number): BV {
  let known = numerals.get(Z);
  if (!known) numerals.set(Z, (known = new Map()));
  const key = `${width}:${value}`;
  let t = known.get(key);
  if (!t) {
    t = Z.BitVec.val(value, width);
    constants.set(t, value);
    known.set(key, t);
  }
  return t;
}

/** The value of a numeral made by symConst, or undefined. */
export function constOf(t: BV): bigint | undefined {
  return constants.get(t);
}

/** Z3 hash-conses terms: equal pointers mean the same term. */
export function termId(t: BV | B): string {
  return String((t as unknown as { ast: number }).ast);
}

interface Ctx {
  readonly guard: B;
  readonly locals: (Sym | undefined)[];
  readonly operands: ReadonlyMap<string, BV>;
  readonly nextPc: BV;
  readonly ret: { flag: B; value: Sym | null } | null;
}

/** One translation made on its own (see SymRun.translation). */
interface Translation {
  readonly pa: BV;
  readonly trapped: B;
  readonly memTrapped: B;
  readonly halted: B;
  readonly accesses: readonly Access[];
}

const translateInfos = new WeakMap<IR.Isa, { footprint: Footprint; pure: boolean }>();

const made = new WeakMap<Z3, Map<string, unknown>>();

/**
 * A term (slice, translation, ...) made once per context: the runs of one instruction's pairs
 * build the same terms over and over (everything the mode or the placement does not touch), and
 * each construction is several calls into Z3's WebAssembly where a lookup is a string and a map.
 * Keyed by operation and Z3's term pointers: an analysis context (withFreshZ3) frees no term before
 * it ends, so within one a pointer names one term.
 */
export function memoTerm<T>(Z: Z3, key: string, build: () => T): T {
  let m = made.get(Z);
  if (!m) made.set(Z, (m = new Map()));
  let t = m.get(key) as T | undefined;
  if (t === undefined) m.set(key, (t = build()));
  return t;
}

/** Per context and operation, terms by their operands' term pointers (see memoTerm). */
const madeOf = new WeakMap<Z3, Map<string, Map<number, unknown>>>();

/**
 * memoTerm for the operations built most (and, or, not, ite, slices, binary operations, selects),
 * keyed by numbers instead of a string made for every lookup: nested maps, one level per operand
 * (`more` for a third number, e.g. ite's else term or a slice's bounds).
 */
export function memoOp<T>(Z: Z3, op: string, x: number, y: number, more: number, build: () => T): T {
  let ops = madeOf.get(Z);
  if (!ops) madeOf.set(Z, (ops = new Map()));
  let byX = ops.get(op);
  if (!byX) ops.set(op, (byX = new Map()));
  let byY = byX.get(x) as Map<number, Map<number, unknown>> | undefined;
  if (!byY) byX.set(x, (byY = new Map()));
  let byMore = byY.get(y);
  if (!byMore) byY.set(y, (byMore = new Map()));
  let t = byMore.get(more) as T | undefined;
  if (t === undefined) byMore.set(more, (t = build()));
  return t;
}

/** memoOp's names for binary operations, apart from the boolean and/or/not of SymRun. */
const BINARY_TAG = Object.fromEntries(
  (["add", "sub", "mul", "udiv", "urem", "sdiv", "srem", "and", "or", "xor", "shl", "lshr", "ashr", "rol", "ror", "eq", "ne", "ult", "ule", "ugt", "uge", "slt", "sle", "sgt", "sge", "land", "lor"] as const).map((op) => [op, `binary ${op}`]),
) as Record<IR.BinOp, string>;

/** Z3's pointer for a term (see termId). */
export function termPtr(t: BV | B): number {
  return (t as unknown as { ast: number }).ast;
}

/** true and false of a context, one term each, so that runs can recognise them by identity. */
function truthOf(Z: Z3): { T: B; F: B } {
  return memoTerm(Z, "true false", () => ({ T: Z.Bool.val(true), F: Z.Bool.val(false) }));
}

/** What the spec's translate reads, and whether it is a function of that alone (writes nothing, chooses nothing). */
function translateInfo(isa: IR.Isa): { footprint: Footprint; pure: boolean } {
  let info = translateInfos.get(isa);
  if (!info) {
    const footprint = functionFootprint(isa, isa.translate!);
    const pure = footprint.writes.size === 0 && !footprint.writesMemory && !footprint.chooses && !footprint.outputs;
    translateInfos.set(isa, (info = { footprint, pure }));
  }
  return info;
}

/** Executes IR bodies symbolically over one state. */
export class SymRun {
  private readonly T: B;
  private readonly F: B;
  private trapped: B;
  private memTrapped: B;
  private halted: B;
  private output: B;
  private pcWritten: B;
  private readonly regs: BV[][];
  private phys: Arr;
  private readonly accesses: Access[] = [];
  private readonly eithers: EitherChoice[] = [];
  /**
   * How often this run has met each `either` statement. A choice is named by its statement and
   * occurrence, not by how many choices the run met before it: a branch that folds away in one run
   * of a pair (its condition a constant there) and not in the other would shift every later
   * number, and the two runs would no longer share their choices (regression: a mode pair whose
   * runs took different branches of the same `either`, "mode sensitive" where no mode was read).
   */
  private readonly occurrences = new Map<IR.Stmt, number>();
  /** The shared view (location pairs only), this run's stores through it and its links to it. */
  private readonly viewLog: { cell: Cell; value: BV; guard: B }[] = [];
  /**
   * The permissions of the view stores whose cell's initial permission is not known to be the
   * store's own (see viewCell): the view's terms are exact only where all of them hold.
   */
  private readonly viewDoubts: B[] = [];
  /** The view's id of viewLog (see SharedView.extend); 0 for no stores. */
  private viewSignature = 0;
  private viewBroken = false;
  /** A read of this run's own memory where the view could not place the unit (see RunResult.viewUse). */
  private offView = false;
  private readonly cells = new Map<string, Cell>();
  private readonly linked = new Set<string>();
  private readonly links: B[] = [];
  /**
   * Reads whose sharing links are still to be made: cell c against the first n view stores. Links
   * only matter to a query that reaches the solver, and most pairs are decided without one, so
   * they are made when asked for (`pendingLinks`), not on every read.
   */
  private readonly unlinked: { cell: Cell; n: number }[] = [];
  private prober: SymRun | null = null;

  constructor(
    private readonly Z: Z3,
    private readonly isa: IR.Isa,
    private readonly initial: SymState,
    /** Prefix for nondeterministic choice variables; runs that share it share their choices. */
    private readonly choicePrefix = "choice",
    /** Memory as the program sees it, shared with the other run of a location pair. */
    private readonly view: SharedView | null = null,
  ) {
    const tf = truthOf(Z);
    this.T = tf.T;
    this.F = tf.F;
    this.trapped = this.F;
    this.memTrapped = this.F;
    this.halted = this.F;
    this.output = this.F;
    this.pcWritten = this.F;
    this.regs = initial.regs.map((r) => [...r]);
    this.phys = initial.phys;
  }

  // ------------------------------------------------------------ small helpers that keep terms small

  and(a: B, b: B): B {
    if (a === this.T) return b;
    if (b === this.T) return a;
    if (a === this.F || b === this.F) return this.F;
    return memoOp(this.Z, "and", termPtr(a), termPtr(b), 0, () => this.Z.And(a, b));
  }

  or(a: B, b: B): B {
    if (a === this.F) return b;
    if (b === this.F) return a;
    if (a === this.T || b === this.T) return this.T;
    return memoOp(this.Z, "or", termPtr(a), termPtr(b), 0, () => this.Z.Or(a, b));
  }

  not(a: B): B {
    if (a === this.T) return this.F;
    if (a === this.F) return this.T;
    return memoOp(this.Z, "not", termPtr(a), 0, 0, () => this.Z.Not(a));
  }

  private ite<X extends Sym | Arr>(c: B, a: X, b: X): X {
    if (c === this.T || a === b) return a;
    if (c === this.F) return b;
    return memoOp(this.Z, "ite", termPtr(c), termPtr(a as never), termPtr(b as never), () => this.Z.If(c, a as never, b as never) as unknown as X);
  }

  /** This statement runs: its path is taken, nothing trapped or halted before it, no early return. */
  private active(ctx: Ctx): B {
    return this.and(this.live(ctx), this.not(this.trapped));
  }

  /**
   * The guard for data: like `active` but without "nothing trapped before". A run that traps is
   * never inspected for its final state, so what happens to data after a trap does not matter, and
   * leaving the trap conditions out keeps the data terms of two runs that differ only in their trap
   * conditions (a mode pair, where translation traps by mode) syntactically identical.
   */
  private live(ctx: Ctx): B {
    let a = this.and(ctx.guard, this.not(this.halted));
    if (ctx.ret) a = this.and(a, this.not(ctx.ret.flag));
    return a;
  }

  private bv(value: bigint, width: number): BV {
    return symConst(this.Z, value, width);
  }

  private bool(b: boolean): B {
    return b ? this.T : this.F;
  }

  // ------------------------------------------------------------ running

  /**
   * Fetches the k-th fetch unit at pc through translation (access FETCH), under guard. Returns the
   * physical address of each memory unit of it and whether the fetch got that far without a trap.
   */
  fetch(pc: BV, k: number, guard: B): { pas: BV[]; ok: B } {
    const { fetchUnit, unitWidth } = this.isa.memory;
    const per = fetchUnit / unitWidth;
    const ctx: Ctx = { guard, locals: [], operands: new Map(), nextPc: pc, ret: null };
    const va = k === 0 ? pc : pc.add(this.bv(BigInt(k * per), this.isa.vaddrWidth));
    const pa = this.translate(va, IR.ACCESS.FETCH, ctx);
    const ok = this.active(ctx);
    const pas: BV[] = [];
    for (let u = 0; u < per; u++) {
      const p = u === 0 ? pa : pa.add(this.bv(BigInt(u), this.isa.memory.addrWidth));
      pas.push(p);
      this.accesses.push({ guard: ok, va, offset: u, pa: p, kind: "fetch" });
    }
    return { pas, ok };
  }

  /**
   * The physical address translate gives va from this run's state now, whether it does so without
   * trapping, and the physical memory it looked at (the cell itself and any table it walked).
   */
  probeTranslate(va: BV, access: bigint): { pa: BV; ok: B; accesses: Access[] } {
    const t = this.translation(va, access);
    const ok = this.not(this.or(t.trapped, t.halted));
    return { pa: t.pa, ok, accesses: [...t.accesses, { guard: ok, va, offset: 0, pa: t.pa, kind: "read" }] };
  }

  /**
   * translate(va) for an access of this kind from the registers as they are now, run on its own
   * (guard true, nothing trapped before): the physical address, when it traps (a memory trap or
   * another) or halts, and the tables it read, with guards relative to the call. A translate that
   * writes no state and makes no choice depends only on va, the registers it reads and the initial
   * memory (the interpreter's TLB rule), so within one context it is built once: the runs of a
   * pair, their probes and the view's cells ask for the same translations again and again (on
   * RISC-V the fetch's page walk was half of an instruction's analysis).
   */
  private translation(va: BV, access: bigint): Translation {
    const build = (): Translation => {
      const run = new SymRun(this.Z, this.isa, { regs: this.regs, phys: this.initial.phys }, "probe");
      const ctx: Ctx = { guard: this.T, locals: [], operands: new Map(), nextPc: va, ret: null };
      const pa = run.translateHere(va, access, ctx);
      return { pa, trapped: run.trapped, memTrapped: run.memTrapped, halted: run.halted, accesses: run.accesses };
    };
    const { footprint, pure } = translateInfo(this.isa);
    if (!pure) return build();
    const regs = [...footprint.reads].map((id) => this.regs[id]!.map(termId).join(",")).join(";");
    return memoTerm(this.Z, `translate ${termId(va)} ${access} ${termId(this.initial.phys as never)} ${regs}`, build);
  }

  /** Runs an instruction body (or tick) under guard; an early `return;` ends it. */
  runBody(body: readonly IR.Stmt[], slots: number, operands: ReadonlyMap<string, BV>, nextPc: BV, guard: B): void {
    const ctx: Ctx = { guard, locals: new Array(slots).fill(undefined), operands, nextPc, ret: { flag: this.F, value: null } };
    this.exec(body, ctx);
  }

  result(nextPc: BV): RunResult {
    const pc = this.regs[this.isa.pc]![0]!;
    return {
      initial: this.initial,
      final: { regs: this.regs, phys: this.phys },
      trapped: this.trapped,
      memTrapped: this.memTrapped,
      halted: this.halted,
      output: this.output,
      // As the machine does: the PC advances unless the instruction wrote it or halted (a halted
      // machine's PC stays on its halting instruction).
      finalPc: this.ite(this.or(this.pcWritten, this.halted), pc, nextPc),
      accesses: this.accesses,
      eithers: this.eithers,
      view: this.view && !this.viewBroken
        ? {
          read: (va: BV, offset: number) => {
            const c = this.cell(va, offset, IR.ACCESS.READ);
            return this.viewRead(c, () => this.phys.select(c.pa) as BV, []);
          },
          links: () => this.allLinks(),
          cells: this.cells,
          shared: this.view,
          signature: this.viewSignature,
          exact: this.viewDoubts.length === 0,
        }
        : null,
      viewUse: this.view ? { links: () => this.allLinks(), cells: this.cells, offView: this.offView } : null,
    };
  }

  // ------------------------------------------------------------ statements

  private exec(stmts: readonly IR.Stmt[], ctx: Ctx): void {
    // A path that cannot be taken (its condition folded to false) builds nothing.
    if (ctx.guard === this.F) return;
    for (const s of stmts) this.stmt(s, ctx);
  }

  private stmt(s: IR.Stmt, ctx: Ctx): void {
    switch (s.kind) {
      case "let":
        ctx.locals[s.slot] = this.eval(s.value, ctx);
        return;
      case "setLocal": {
        const v = this.eval(s.value, ctx);
        const old = ctx.locals[s.slot];
        ctx.locals[s.slot] = old === undefined ? v : this.ite(this.live(ctx), v, old);
        return;
      }
      case "setReg": {
        const v = this.eval(s.value, ctx) as BV;
        const a = this.live(ctx);
        const file = this.regs[s.element]!;
        file[0] = this.ite(a, v, file[0]!);
        if (s.element === this.isa.pc) this.pcWritten = this.or(this.pcWritten, a);
        return;
      }
      case "setRegFile": {
        const index = this.eval(s.index, ctx) as BV;
        const v = this.eval(s.value, ctx) as BV;
        const a = this.live(ctx);
        const file = this.regs[s.element]!;
        const ci = constValue(s.index) ?? constOf(index) ?? null;
        if (ci !== null) {
          if (ci < BigInt(file.length)) file[Number(ci)] = this.ite(a, v, file[Number(ci)]!);
          return;
        }
        const iw = IR.widthOf(s.index);
        for (let k = 0; k < file.length; k++) file[k] = this.ite(this.and(a, index.eq(this.bv(BigInt(k), iw))), v, file[k]!);
        return;
      }
      case "store": {
        const addr = this.eval(s.addr, ctx) as BV;
        const value = this.eval(s.value, ctx) as BV;
        this.store(addr, s.units, value, s.virtual, ctx);
        return;
      }
      case "if": {
        // An arm whose guard folds to false is not run: everything it would do is guarded away
        // (mode pairs fix the mode, so translation's arms for other modes fold).
        const c = this.eval(s.cond, ctx) as B;
        const then = this.and(ctx.guard, c);
        if (then !== this.F) this.exec(s.then, { ...ctx, guard: then });
        const otherwise = s.else.length ? this.and(ctx.guard, this.not(c)) : this.F;
        if (otherwise !== this.F) this.exec(s.else, { ...ctx, guard: otherwise });
        return;
      }
      case "trap": {
        const a = this.active(ctx);
        if (s.arg) this.eval(s.arg, ctx);
        if (this.isa.causes[s.cause]!.isMemory) this.memTrapped = this.or(this.memTrapped, a);
        this.trapped = this.or(this.trapped, a);
        return;
      }
      case "halt":
        this.halted = this.or(this.halted, this.live(ctx));
        return;
      case "either": {
        const n = s.branches.length;
        const bits = Math.max(1, Math.ceil(Math.log2(n)));
        const k = this.occurrences.get(s) ?? 0;
        this.occurrences.set(s, k + 1);
        const choice = this.Z.BitVec.const(`${this.choicePrefix}.${s.span.file}@${s.span.start}.${k}`, bits);
        this.eithers.push({ stmt: s, guard: this.active(ctx), choice });
        s.branches.forEach((b, i) => {
          const pick = i === n - 1 ? choice.uge(this.bv(BigInt(i), bits)) : choice.eq(this.bv(BigInt(i), bits));
          this.exec(b, { ...ctx, guard: this.and(ctx.guard, pick) });
        });
        return;
      }
      case "output":
        this.eval(s.value, ctx);
        this.output = this.or(this.output, this.active(ctx));
        return;
      case "return": {
        if (!ctx.ret) return;
        const a = this.live(ctx);
        if (s.value) {
          const v = this.eval(s.value, ctx);
          ctx.ret.value = ctx.ret.value === null ? v : this.ite(a, v, ctx.ret.value);
        }
        ctx.ret.flag = this.or(ctx.ret.flag, a);
        return;
      }
      case "call":
        this.eval(s.call, ctx);
        return;
    }
  }

  // ------------------------------------------------------------ memory

  /** Inside the spec's translate: memory reads see the initial memory (the interpreter's TLB rule). */
  private translating = 0;

  private translate(va: BV, access: bigint, ctx: Ctx): BV {
    if (this.isa.translate === null) return va;
    if (!translateInfo(this.isa).pure) return this.translateHere(va, access, ctx);
    // The translation on its own (built once per context), placed under this call's guard: the
    // same flags and accesses guarded execution of the call would give.
    const t = this.translation(va, access);
    const a = this.active(ctx);
    this.trapped = this.or(this.trapped, this.and(a, t.trapped));
    this.memTrapped = this.or(this.memTrapped, this.and(a, t.memTrapped));
    this.halted = this.or(this.halted, this.and(this.live(ctx), t.halted));
    for (const x of t.accesses) this.accesses.push({ ...x, guard: this.and(a, x.guard) });
    return t.pa;
  }

  /** translate(va) run in this run, under the call's guard. */
  private translateHere(va: BV, access: bigint, ctx: Ctx): BV {
    if (this.isa.translate === null) return va;
    this.translating++;
    try {
      return this.call(this.isa.translate, [va, this.bv(access, IR.ACCESS_WIDTH)], ctx) as BV;
    } finally {
      this.translating--;
    }
  }

  private load(addr: BV, units: number, virtual: boolean, ctx: Ctx): BV {
    const { addrWidth, endian } = this.isa.memory;
    const initialContext = virtual && this.viewUsable();
    const pa = virtual ? this.translate(addr, IR.ACCESS.READ, ctx) : addr;
    const g = this.active(ctx);
    const parts: BV[] = [];
    for (let i = 0; i < units; i++) {
      const k = endian === "big" ? i : units - 1 - i;
      const p = k === 0 ? pa : pa.add(this.bv(BigInt(k), addrWidth));
      this.accesses.push({ guard: g, va: virtual ? addr : null, offset: k, pa: p, kind: "read" });
      const memory = this.translating > 0 ? this.initial.phys : this.phys;
      const placed = virtual ? this.viewCell(addr, k, IR.ACCESS.READ, initialContext) : null;
      const own = () => memoOp(this.Z, "select", termPtr(memory as never), termPtr(p), 0, () => memory.select(p) as BV);
      if (virtual && this.view && !placed) this.offView = true;
      parts.push(placed ? this.viewRead(placed.cell, own, placed.exact ? [] : [placed.cell.ok]) : own());
    }
    return parts.length === 1 ? parts[0]! : this.Z.Concat(...parts);
  }

  private store(addr: BV, units: number, value: BV, virtual: boolean, ctx: Ctx): void {
    const { unitWidth, addrWidth, endian } = this.isa.memory;
    const initialContext = virtual && this.viewUsable();
    const pa = virtual ? this.translate(addr, IR.ACCESS.WRITE, ctx) : addr;
    const a = this.active(ctx);
    const live = this.live(ctx);
    let arr = this.phys;
    const viewed: { cell: Cell; value: BV; guard: B; exact: boolean }[] = [];
    for (let k = 0; k < units; k++) {
      const i = endian === "big" ? units - 1 - k : k;
      const unit = units === 1 ? value : value.extract(i * unitWidth + unitWidth - 1, i * unitWidth);
      const p = k === 0 ? pa : pa.add(this.bv(BigInt(k), addrWidth));
      this.accesses.push({ guard: a, va: virtual ? addr : null, offset: k, pa: p, kind: "write" });
      arr = arr.store(p, unit) as Arr;
      const placed = virtual ? this.viewCell(addr, k, IR.ACCESS.WRITE, initialContext) : null;
      if (placed) viewed.push({ cell: placed.cell, value: unit, guard: live, exact: placed.exact });
    }
    if (viewed.length === units) {
      for (const w of viewed) {
        this.viewLog.push({ cell: w.cell, value: w.value, guard: w.guard });
        if (!w.exact) this.viewDoubts.push(w.cell.ok);
        this.viewSignature = this.view!.extend(this.viewSignature, w.cell.key, w.value, w.guard);
      }
    } else {
      // A store the view did not see (physical, or one the view cannot place) ends the view.
      this.viewBroken = true;
    }
    this.phys = this.ite(live, arr, this.phys);
  }

  // ------------------------------------------------------------ the shared view (location pairs)

  /**
   * The view's cell for one unit of an access whose translation placed it at p: while translate's
   * registers are those of the initial state (initialContext), the cell probed from the initial
   * state is that unit by construction; after an instruction changed one of them (ARM's LDRT and
   * STRT switch CPSR.M to User around the access), only if the translation gave the very term the
   * initial state's probe gives - then it is the same physical unit wherever the access completes,
   * whatever the changed registers decided about permission. Otherwise null: the view cannot place
   * the unit.
   *
   * Exact: the cell's permission (its link's guard) is the access's own - the initial context, or
   * the same term now. Where the permission changed, the access may complete where the initial
   * state's would have trapped: the view's name for the unit is then tied to nothing, and reads
   * must fall back to the run's own memory (see viewRead). (Regression: a random ISA that cleared a
   * write-protect bit, then stored and read back, had a location witness that did not replay.)
   */
  private viewCell(va: BV, offset: number, access: bigint, initialContext: boolean): { cell: Cell; exact: boolean } | null {
    if (!this.view || this.viewBroken) return null;
    const cell = this.cell(va, offset, access);
    if (initialContext) return { cell, exact: true };
    // The same probe from the initial state with translate's registers as they are now. (The
    // access's own translation is that term under the guards of the code around it.)
    const now = this.translation(va, access);
    const pa = offset === 0 ? now.pa : now.pa.add(this.bv(BigInt(offset), this.isa.memory.addrWidth));
    if (termId(pa) !== termId(cell.pa)) return null;
    const ok = this.not(this.or(now.trapped, now.halted));
    return { cell, exact: termId(ok) === termId(cell.ok) || this.narrowed(access) };
  }

  /**
   * Whether translate, from the registers as they are now, allows an access of this kind at no
   * address the initial state's registers forbid: then the initial state's permission, which
   * guards the view's links, holds wherever the access completes. Proved for a free address, once
   * per register values (the four byte accesses of an ARM LDRT share one proof).
   */
  private narrowed(access: bigint): boolean {
    const { footprint } = translateInfo(this.isa);
    const regs = [...footprint.reads].map((id) => `${this.regs[id]!.map(termId).join(",")}/${this.initial.regs[id]!.map(termId).join(",")}`).join(";");
    return this.view!.proved(`${access} ${termId(this.initial.phys as never)} ${regs}`, () => {
      const va = this.Z.BitVec.const("permission.va", this.isa.vaddrWidth);
      const now = this.translation(va, access);
      this.prober ??= new SymRun(this.Z, this.isa, this.initial, "probe");
      const then = this.prober.translation(va, access);
      return this.Z.Implies(this.not(this.or(now.trapped, now.halted)), this.not(this.or(then.trapped, then.halted)));
    });
  }

  /**
   * The view may stand in for physical memory while the registers translate reads are still those
   * of the initial state (translate reads memory as the instruction found it, so a cell's physical
   * address is the one probed from the initial state) and every store so far went through the view.
   */
  private viewUsable(): boolean {
    if (!this.view || this.viewBroken) return false;
    for (const e of this.view.translateFootprint.reads) {
      const now = this.regs[e]!;
      const then = this.initial.regs[e]!;
      if (now.some((t, i) => t !== then[i])) return false;
    }
    return true;
  }

  /** A memory unit as the program names it, with where this run's initial state puts it. */
  private cell(va: BV, offset: number, access: bigint): Cell {
    const key = `${termId(va)}+${offset}/${access}`;
    const known = this.cells.get(key);
    if (known) return known;
    this.prober ??= new SymRun(this.Z, this.isa, this.initial, "probe");
    const probe = this.prober.probeTranslate(va, access);
    const pa = offset === 0 ? probe.pa : probe.pa.add(this.bv(BigInt(offset), this.isa.memory.addrWidth));
    const c: Cell = { key, va, offset, access, pa, ok: probe.ok, walk: probe.accesses };
    this.cells.set(key, c);
    return c;
  }

  /**
   * A unit's value as the program sees it now: the latest view store to the same physical unit, or
   * else the shared name of its initial contents, tied to this run's memory by a link. The view's
   * term holds where the links do: where the permissions in `doubts` (the read's own, when it may
   * differ from the cell's) or those of a store the view placed inexactly fail, the value is the
   * run's own memory at the unit (`own`), exactly as the interpreter has it.
   */
  private viewRead(c: Cell, own: () => BV, doubts: readonly B[]): BV {
    const shared = this.viewReadShared(c);
    const all = [...doubts, ...this.viewDoubts];
    return all.length === 0 ? shared : this.ite(all.reduce((x, y) => this.and(x, y)), shared, own());
  }

  private viewReadShared(c: Cell): BV {
    const view = this.view!;
    let v = view.initial(c);
    if (!this.linked.has(c.key)) {
      this.linked.add(c.key);
      this.links.push(this.Z.Implies(c.ok, (this.initial.phys.select(c.pa) as BV).eq(v)));
    }
    if (this.viewLog.length === 0) return v;
    this.unlinked.push({ cell: c, n: this.viewLog.length });
    return view.read(this.viewSignature, c.key, () => {
      let r = v;
      for (const w of this.viewLog) r = this.ite(this.and(w.guard, this.sharing(w.cell, c).name), w.value, r);
      return r;
    });
  }

  /** Every link of this run: initial contents, and the sharing names its reads used. */
  private allLinks(): readonly B[] {
    for (const { cell, n } of this.unlinked.splice(0)) {
      for (let i = 0; i < n; i++) {
        const s = this.sharing(this.viewLog[i]!.cell, cell);
        if (s.key !== null && !this.linked.has(s.key)) {
          this.linked.add(s.key);
          const [x, y] = s.cells;
          this.links.push(this.Z.Implies(this.and(x.ok, y.ok), s.name.eq(x.pa.eq(y.pa))));
        }
      }
    }
    return this.links;
  }

  /**
   * Whether two cells are the same physical unit in this run. Decided by their names where that is
   * exact (the same cell; two units of one access), else a name shared with the other run of the
   * pair, linked to this run's translation - the pair presents the same sharing, so the two runs'
   * view terms coincide.
   */
  private sharing(x: Cell, y: Cell): { name: B; key: string | null; cells: [Cell, Cell] } {
    if (x.key === y.key) return { name: this.T, key: null, cells: [x, y] };
    if (termId(x.va) === termId(y.va) && x.access === y.access) return { name: this.F, key: null, cells: [x, y] };
    const { name, key } = this.view!.sharing(x, y);
    return { name, key, cells: [x, y] };
  }

  // ------------------------------------------------------------ calls
  // ------------------------------------------------------------ calls

  private call(fn: number, args: readonly Sym[], ctx: Ctx): Sym | null {
    const f = this.isa.functions[fn]!;
    const locals: (Sym | undefined)[] = new Array(f.slots).fill(undefined);
    f.params.forEach((p, i) => (locals[p.slot] = args[i]));
    const inner: Ctx = { guard: this.live(ctx), locals, operands: ctx.operands, nextPc: ctx.nextPc, ret: { flag: this.F, value: null } };
    this.exec(f.body, inner);
    if (f.result === null) return null;
    return inner.ret!.value ?? (f.result.kind === "bool" ? this.F : this.bv(0n, f.result.width));
  }

  // ------------------------------------------------------------ expressions

  eval(e: IR.Expr, ctx: Ctx): Sym {
    const Z = this.Z;
    switch (e.kind) {
      case "const":
        return this.bv(e.value, e.width);
      case "boolConst":
        return e.value ? this.T : this.F;
      case "reg":
        return this.regs[e.element]![0]!;
      case "regFile": {
        const file = this.regs[e.element]!;
        const ci = constValue(e.index);
        if (ci !== null) return file[Math.min(Number(ci), file.length - 1)]!;
        const index = this.eval(e.index, ctx) as BV;
        const ki = constOf(index);
        if (ki !== undefined) return file[Math.min(Number(ki), file.length - 1)]!;
        const iw = IR.widthOf(e.index);
        let v = file[file.length - 1]!;
        for (let k = file.length - 2; k >= 0; k--) v = this.ite(index.eq(this.bv(BigInt(k), iw)), file[k]!, v);
        return v;
      }
      case "local": {
        const v = ctx.locals[e.slot];
        return v ?? (e.type.kind === "bool" ? this.F : this.bv(0n, e.type.width));
      }
      case "operand":
        return ctx.operands.get(e.name) ?? this.bv(0n, e.width);
      case "nextPc":
        return ctx.nextPc;
      case "slice": {
        const v = this.eval(e.value, ctx) as BV;
        const k = constOf(v);
        if (k !== undefined) return this.bv((k >> BigInt(e.lo)) & ((1n << BigInt(e.width)) - 1n), e.width);
        return extractBits(this.Z, v, e.hi, e.lo);
      }
      case "concat": {
        const parts = e.parts.map((p) => this.eval(p, ctx) as BV);
        if (parts.length === 1) return parts[0]!;
        const ks = parts.map(constOf);
        if (ks.every((k) => k !== undefined)) {
          let v = 0n;
          ks.forEach((k, i) => (v = (v << BigInt(IR.widthOf(e.parts[i]!))) | k!));
          return this.bv(v, e.width);
        }
        return Z.Concat(...parts);
      }
      case "zext": {
        const v = this.eval(e.value, ctx) as BV;
        const by = e.width - IR.widthOf(e.value);
        const k = constOf(v);
        if (k !== undefined) return this.bv(k, e.width);
        return by === 0 ? v : v.zeroExt(by);
      }
      case "sext": {
        const v = this.eval(e.value, ctx) as BV;
        const by = e.width - IR.widthOf(e.value);
        const k = constOf(v);
        if (k !== undefined) return this.bv(BigInt.asUintN(e.width, BigInt.asIntN(IR.widthOf(e.value), k)), e.width);
        return by === 0 ? v : v.signExt(by);
      }
      case "unary": {
        const v = this.eval(e.value, ctx);
        if (e.op === "lnot") return this.not(v as B);
        const k = constOf(v as BV);
        const w = IR.widthOf(e.value);
        if (k !== undefined) return this.bv(BigInt.asUintN(w, e.op === "not" ? ~k : -k), w);
        return e.op === "not" ? (v as BV).not() : (v as BV).neg();
      }
      case "binary":
        return this.binary(e, ctx);
      case "ite": {
        const c = this.eval(e.cond, ctx) as B;
        const t = this.eval(e.then, { ...ctx, guard: this.and(ctx.guard, c) });
        const f = this.eval(e.else, { ...ctx, guard: this.and(ctx.guard, this.not(c)) });
        return this.ite(c, t, f);
      }
      case "load":
        return this.load(this.eval(e.addr, ctx) as BV, e.units, e.virtual, ctx);
      case "call": {
        const args = e.args.map((a) => this.eval(a, ctx));
        return this.call(e.fn, args, ctx) ?? this.F;
      }
    }
  }

  private binary(e: IR.Expr & { kind: "binary" }, ctx: Ctx): Sym {
    if (e.op === "land" || e.op === "lor") {
      // Short-circuit: the right side's effects (traps in calls) happen only when it is evaluated.
      const l = this.eval(e.left, ctx) as B;
      if (l === (e.op === "land" ? this.F : this.T)) return l;
      const r = this.eval(e.right, { ...ctx, guard: this.and(ctx.guard, e.op === "land" ? l : this.not(l)) }) as B;
      return e.op === "land" ? this.and(l, r) : this.or(l, r);
    }
    const l = this.eval(e.left, ctx);
    const r = this.eval(e.right, ctx);
    if (IR.typeOf(e.left).kind === "bool") {
      const lb = l as B;
      const rb = r as B;
      if ((lb === this.T || lb === this.F) && (rb === this.T || rb === this.F)) return this.bool((lb === rb) === (e.op === "eq"));
      return e.op === "eq" ? this.Z.Eq(lb, rb) : this.not(this.Z.Eq(lb, rb));
    }
    const a = l as BV;
    const b = r as BV;
    const w = IR.widthOf(e.left);
    const ka = constOf(a);
    const kb = constOf(b);
    if (ka !== undefined && kb !== undefined) {
      const v = binop(e.op, ka, kb, w);
      return e.type.kind === "bool" ? this.bool(v === 1n) : this.bv(v, e.type.width);
    }
    return memoOp(this.Z, BINARY_TAG[e.op], termPtr(a), termPtr(b), 0, () => this.binaryTerm(e.op, a, b, w));
  }

  private binaryTerm(op: IR.BinOp, a: BV, b: BV, w: number): Sym {
    switch (op) {
      case "add": return a.add(b);
      case "sub": return a.sub(b);
      case "mul": return a.mul(b);
      case "udiv": return a.udiv(b);
      case "urem": return a.urem(b);
      case "sdiv": return a.sdiv(b);
      case "srem": return a.srem(b);
      case "and": return a.and(b);
      case "or": return a.or(b);
      case "xor": return a.xor(b);
      case "shl": return a.shl(b);
      case "lshr": return a.lshr(b);
      case "ashr": return a.shr(b);
      case "rol":
      case "ror": {
        const k = b.urem(this.bv(BigInt(w), w));
        const back = this.bv(BigInt(w), w).sub(k);
        return op === "rol" ? a.shl(k).or(a.lshr(back)) : a.lshr(k).or(a.shl(back));
      }
      case "eq": return a.eq(b);
      case "ne": return this.not(a.eq(b));
      case "ult": return a.ult(b);
      case "ule": return a.ule(b);
      case "ugt": return a.ugt(b);
      case "uge": return a.uge(b);
      case "slt": return a.slt(b);
      case "sle": return a.sle(b);
      case "sgt": return a.sgt(b);
      case "sge": return a.sge(b);
      default:
        throw new Error(`internal: binary ${op}`);
    }
  }

  /** Evaluates a state expression (the privilege element, a configuration requirement) without effects. */
  evalPure(e: IR.Expr, operands: ReadonlyMap<string, BV> = new Map()): Sym {
    return this.eval(e, { guard: this.T, locals: [], operands, nextPc: this.bv(0n, this.isa.vaddrWidth), ret: null });
  }
}

function constValue(e: IR.Expr): bigint | null {
  return e.kind === "const" ? e.value : null;
}
