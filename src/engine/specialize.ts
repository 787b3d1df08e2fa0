/**
 * The specializer: turns IR statements into straight-line JavaScript for one instruction whose
 * operands are known, or for a spec function called from the engine (trap entry, translate).
 * Function calls are inlined, constants fold (operands, `if` on operands, register indices), so an
 * instruction becomes the few JS statements its operands need; translate is inlined into every
 * memory access. Writes go straight to the register array and memory; when an instruction may trap
 * after a write, the caller asks for journaled writes (undone on the trap) instead.
 *
 * Meaning follows the reference interpreter exactly: evaluation order, short-circuit && and ||,
 * `return` from nested ifs, translate reading memory as the instruction found it, zero for a
 * function that ends without returning.
 */
import * as IR from "../ir/ir.js";
import { isAtom, J, printStmts, type JExpr, type JStmt } from "./js.js";
import { memoryGeometry, type MemoryGeometry } from "./memory.js";
import { limbsOf, type RegisterLayout } from "./layout.js";
import {
  binary, bool, C, concat, jsOf, limbs, materialize, N, num, sext, slice, stable, unary, W, ZERO, zext,
  isWide, widthOfType, type Emitter, type Val,
} from "./values.js";

export type PcState = "no" | "yes" | "maybe";

/** Translate code longer than this (printed lines) is called, even in a block's mode. */
const INLINE_TRANSLATE_LINES = 12;

/** Names of compiled translate functions (va limbs..., site) => pa, by access; null: inline. */
export interface TranslateHelpers {
  readonly read: string | null;
  readonly write: string | null;
  readonly fetch: string | null;
  /** Journaled variants (translate reads memory as the instruction found it). */
  readonly readJournaled: string | null;
  readonly writeJournaled: string | null;
  /** Whether translate may read memory at all. */
  readonly readsMemory: boolean;
}

function mergePc(a: PcState | null, b: PcState | null): PcState | null {
  if (a === null) return b;
  if (b === null) return a;
  return a === b ? a : "maybe";
}

/** What the generated code may call (the names the block factory binds). */
export interface SpecializeOptions {
  /** Writes are journaled (the instruction may trap after writing). */
  readonly journal: boolean;
  /** `either` asks the choose hook (CHOOSE) instead of taking the first branch. */
  readonly choose: boolean;
  /** translate calls the XLATE hook (a VMM's own translation) instead of the spec's. */
  readonly translateHook: boolean;
}

interface Frame {
  readonly env: Map<number, Val>;
  readonly vars: Map<number, string[]>;
  readonly types: Map<number, IR.Type>;
  readonly operands: ReadonlyMap<string, bigint>;
  readonly result: IR.Type | null;
  label: string | null;
  resultVars: string[] | null;
  dynDepth: number;
  dynReturn: boolean;
  staticResult: Val | null;
  returnPc: PcState | null;
}

const R = J.id("R");
const PCW = J.id("pcw");

export class Specializer implements Emitter {
  out: JStmt[] = [];
  reachable = true;
  pcState: PcState = "no";
  /** Temporaries to declare. */
  readonly temps: string[] = [];
  private labels = 0;
  private frame: Frame | null = null;
  private translating = 0;

  /** Facts gathered while specializing. */
  wrote = false;
  /** A hook or compiled helper was called (running the instruction again would call it again). */
  hooked = false;
  /**
   * Statements that leave the block before this instruction (PC set to it, SLOW_EXIT + its index
   * returned), or null. While the instruction has changed nothing (see replayable), a trap and the
   * uncommon cases of a memory access (outside the low region, misaligned, a page holding code or not
   * yet allocated) take this exit instead of being compiled inline: the engine runs the instruction
   * again as a block of its own, compiled without exits. The hot path keeps no calls and throws,
   * which V8 compiles into deoptimization points that slow a loop down by half.
   */
  exit: readonly JStmt[] | null = null;
  /** Some store may reach the memory's methods (and so write translated code): the block checks rt.stale after it. */
  codeStores = false;

  /** Whether the instruction may still be run again from its start (see exit). */
  private canExit(): boolean {
    return this.exit !== null && !this.wrote && !this.hooked && !this.options.journal;
  }
  storedMemory = false;
  /** A trap (or error) may follow a write: the caller should journal. */
  trapAfterWrite = false;
  /** translate read memory after the instruction stored to it: the caller should journal. */
  translateAfterStore = false;
  writesPc = false;
  /** Anything but reading: a write, a trap or halt, output, a hook call (see tickIsQuiet). */
  effects = false;
  /**
   * Register slots known to hold a value (the block's mode, see mode.ts): reads fold to it. A write
   * to a slot forgets it (every slot of a file written with a computed index), shared by all the
   * specializers of a block, so later instructions read the register again.
   */
  assume: Map<number, number> | null = null;
  /** Slots the compiled helpers (translate, tick) may write: forgotten when one is called. */
  helperWrites: readonly number[] = [];

  /** Forgets the assumptions on slots a called helper may write. */
  calledHelper(): void {
    if (this.assume !== null) for (const s of this.helperWrites) this.assume.delete(s);
  }

  /** The site code given to every trap and halt thrown from here. */
  site = 0;
  /** A variable holding the site instead (standalone helpers take it as a parameter). */
  siteVar: string | null = null;
  /** The PC's value as a parameter (standalone tick), overriding `pc`. */
  pcParam: Val | null = null;
  /** Standalone translate helpers to call instead of inlining translate (see functions.ts). */
  helpers: TranslateHelpers | null = null;

  private siteJs(): JExpr {
    return this.siteVar ? J.id(this.siteVar) : J.num(this.site);
  }
  /** The current instruction's address when the PC has not been written (null: read the register). */
  pc: bigint | null = null;
  nextPc: Val = ZERO;
  private readonly geometry: MemoryGeometry;

  constructor(
    readonly isa: IR.Isa,
    readonly layout: RegisterLayout,
    readonly options: SpecializeOptions,
    /** Statements the choose hook is told about (indexed in the generated code). */
    readonly stmtTable: IR.Stmt[],
    private readonly prefix = "t",
  ) {
    this.geometry = memoryGeometry(isa.memory);
  }

  // ------------------------------------------------------------ emitter

  temp(): string {
    const name = `${this.prefix}${this.temps.length}`;
    this.temps.push(name);
    return name;
  }

  emit(s: JStmt): void {
    if (this.reachable) this.out.push(s);
  }

  /** Runs f with a fresh statement list; returns the list (the current one is restored). */
  private capture(f: () => void): JStmt[] {
    const saved = this.out;
    this.out = [];
    try {
      f();
      return this.out;
    } finally {
      this.out = saved;
    }
  }

  // ------------------------------------------------------------ entry points

  /** Specializes a body (instruction semantics or tick) with known operands. */
  body(stmts: readonly IR.Stmt[], operands: ReadonlyMap<string, bigint>): void {
    this.runFrame(this.newFrame(operands, null), stmts);
  }

  /** Specializes a call of fn with the given argument values; returns its result. */
  callFunction(fn: number, args: readonly Val[]): Val {
    return this.inline(fn, args);
  }

  private newFrame(operands: ReadonlyMap<string, bigint>, result: IR.Type | null): Frame {
    return {
      env: new Map(), vars: new Map(), types: new Map(), operands, result, label: null, resultVars: null,
      dynDepth: 0, dynReturn: false, staticResult: null, returnPc: null,
    };
  }

  // ------------------------------------------------------------ statements

  private stmts(list: readonly IR.Stmt[]): void {
    for (const s of list) {
      if (!this.reachable) return;
      this.stmt(s);
    }
  }

  private stmt(s: IR.Stmt): void {
    switch (s.kind) {
      case "let":
      case "setLocal": {
        const v = this.expr(s.value);
        if (this.reachable) this.setLocal(s.slot, v, IR.typeOf(s.value));
        return;
      }
      case "setReg": {
        const v = this.expr(s.value);
        if (this.reachable) this.writeReg(s.element, 0, v);
        return;
      }
      case "setRegFile": {
        const [i, v] = this.seq([() => this.expr(s.index), () => this.expr(s.value)]);
        if (this.reachable) this.writeReg(s.element, this.checkIndex(s.element, i!, IR.widthOf(s.index)), v!);
        return;
      }
      case "store": {
        const w = s.units * this.isa.memory.unitWidth;
        const [a, v] = this.seq([() => this.expr(s.addr), () => this.expr(s.value)]);
        if (!this.reachable) return;
        const av = stable(v!) ? a! : a!;
        const vv = this.translatesWithCode(s.virtual) ? materialize(v!, this) : v!;
        const pa = s.virtual ? this.translate(materialize(av, this), IR.ACCESS.WRITE) : av;
        if (!this.reachable) return;
        this.writeMemory(pa, s.units, vv, w);
        return;
      }
      case "if": {
        const c = this.expr(s.cond);
        if (!this.reachable) return;
        if (c.k === "c") return this.stmts(c.v !== 0n ? s.then : s.else);
        this.branches(bool(c), [s.then, s.else]);
        return;
      }
      case "trap": {
        const info = s.arg ? this.expr(s.arg) : ZERO;
        if (!this.reachable) return;
        if (this.canExit()) {
          this.effects = true;
          this.exit!.forEach((x) => this.emit(x));
          this.reachable = false;
          return;
        }
        this.noteTrap();
        const infoJs = s.arg ? jsOf(info, IR.typeOf(s.arg)) : J.num(0);
        this.emit(J.throw(J.call(J.id("TRAP"), J.num(s.cause), infoJs, this.siteJs())));
        this.reachable = false;
        return;
      }
      case "halt":
        this.effects = true;
        this.fixPcForHalt();
        this.emit(J.throw(J.call(J.id("HALT"), this.siteJs())));
        this.reachable = false;
        return;
      case "either": {
        if (!this.options.choose) return this.stmts(s.branches[0] ?? []);
        this.effects = true;
        this.hooked = true;
        const id = this.stmtTable.length;
        this.stmtTable.push(s);
        const k = this.temp();
        this.emit(J.assign(J.id(k), J.call(J.id("CHOOSE"), J.num(s.branches.length), J.num(id))));
        this.branchesSwitch(J.id(k), s.branches);
        return;
      }
      case "output": {
        const v = this.expr(s.value);
        if (!this.reachable) return;
        this.wrote = true;
        this.effects = true;
        if (this.options.journal) this.emit(J.expr(J.call(J.member(J.id("JN"), "out"))));
        const t = IR.typeOf(s.value);
        const big = isWide(t) ? J.call(J.id("TOBIG"), ...limbs(v, widthOfType(t))) : J.call(J.id("BigInt"), t.kind === "bool" ? J.cond(bool(v), J.num(1), J.num(0)) : num(v));
        this.emit(J.expr(J.call(J.member(J.id("OUT"), "push"), big)));
        return;
      }
      case "return":
        this.doReturn(s.value ? this.expr(s.value) : null);
        return;
      case "call":
        this.expr(s.call);
        return;
    }
  }

  /** Whether translate will emit code (so values computed before it must be held in temporaries). */
  private translatesWithCode(virtual: boolean): boolean {
    return virtual && (this.options.translateHook || this.isa.translate !== null);
  }

  private noteTrap(): void {
    this.effects = true;
    if (this.wrote) this.trapAfterWrite = true;
  }

  /** Dynamic if/else (bodies[0] when c, else bodies[1]), merging locals and the PC state. */
  private branches(c: JExpr, bodies: readonly (readonly IR.Stmt[])[]): void {
    const results = this.runBranches(bodies);
    this.reachable = true;
    this.emit(J.if(c, results[0]!.list, results[1]!.list));
    this.join(results);
  }

  private branchesSwitch(k: JExpr, bodies: readonly (readonly IR.Stmt[])[]): void {
    const results = this.runBranches(bodies);
    this.reachable = true;
    // The interpreter clamps the choice to the last branch.
    this.emit({ k: "switch", on: k, cases: results.map((r, i) => ({ value: i === results.length - 1 ? null : i, body: r.list })) });
    this.join(results);
  }

  private runBranches(bodies: readonly (readonly IR.Stmt[])[]) {
    const frame = this.frame!;
    const env0 = new Map(frame.env);
    const pc0 = this.pcState;
    frame.dynDepth++;
    const results = bodies.map((b) => {
      frame.env.clear();
      for (const [k, v] of env0) frame.env.set(k, v);
      this.pcState = pc0;
      this.reachable = true;
      const list = this.capture(() => this.stmts(b));
      return { list, env: new Map(frame.env), pc: this.pcState, reachable: this.reachable };
    });
    frame.dynDepth--;
    return results;
  }

  private join(results: { list: JStmt[]; env: Map<number, Val>; pc: PcState; reachable: boolean }[]): void {
    const frame = this.frame!;
    const live = results.filter((r) => r.reachable);
    this.reachable = live.length > 0;
    frame.env.clear();
    if (!this.reachable) return;
    this.pcState = live.map((r) => r.pc).reduce<PcState | null>((a, b) => mergePc(a, b), null)!;
    const slots = new Set<number>();
    for (const r of live) for (const k of r.env.keys()) slots.add(k);
    for (const slot of [...slots].sort((a, b) => a - b)) {
      const vals = live.map((r) => r.env.get(slot) ?? ZERO);
      const first = vals[0]!;
      if (vals.every((v) => sameVal(v, first))) {
        frame.env.set(slot, first);
        continue;
      }
      const vars = this.slotVars(slot, vals);
      const target = vars.length === 1 ? N(J.id(vars[0]!)) : W(vars.map((n) => J.id(n)));
      live.forEach((r, i) => {
        const v = vals[i]!;
        if (sameVal(v, target)) return;
        const t = frame.types.get(slot);
        const ls = vars.length === 1 ? [t?.kind === "bool" ? bool(v) : num(v)] : limbs(v, vars.length * 32);
        ls.forEach((e, j) => r.list.push(J.assign(J.id(vars[j]!), e)));
      });
      frame.env.set(slot, target);
    }
  }

  /** The JS variables of a local slot (one per limb), created on first use. */
  private slotVars(slot: number, vals: readonly Val[] = []): string[] {
    const frame = this.frame!;
    let vars = frame.vars.get(slot);
    if (!vars) {
      const n = Math.max(1, ...vals.map((v) => (v.k === "w" ? v.l.length : 1)));
      vars = Array.from({ length: n }, () => this.temp());
      frame.vars.set(slot, vars);
    }
    return vars;
  }

  private setLocal(slot: number, v: Val, t: IR.Type): void {
    const frame = this.frame!;
    frame.types.set(slot, t);
    if (v.k === "c") {
      frame.env.set(slot, v);
      return;
    }
    const n = t.kind === "bits" ? limbsOf(t.width) : 1;
    let vars = frame.vars.get(slot);
    if (!vars) {
      vars = Array.from({ length: n }, () => this.temp());
      frame.vars.set(slot, vars);
    }
    if (n === 1) {
      this.emit(J.assign(J.id(vars[0]!), v.k === "n" ? v.e : num(v)));
      frame.env.set(slot, N(J.id(vars[0]!)));
    } else {
      const m = materialize(v, this);
      const ls = limbs(m, t.kind === "bits" ? t.width : 1);
      ls.forEach((e, j) => this.emit(J.assign(J.id(vars![j]!), e)));
      frame.env.set(slot, W(vars.map((x) => J.id(x))));
    }
  }

  // ------------------------------------------------------------ registers

  private regSlot(element: number, index: number | JExpr, limb: number): JExpr {
    const base = this.layout.offset[element]!;
    const L = this.layout.limbs[element]!;
    if (typeof index === "number") return J.index(R, J.num(base + index * L + limb));
    const scaled = L === 1 ? index : J.bin("*", index, J.num(L));
    return J.index(R, base + limb === 0 ? scaled : J.bin("+", scaled, J.num(base + limb)));
  }

  /** A register file index: a number when constant, else an expression checked against the count. */
  private checkIndex(element: number, i: Val, width: number): number | JExpr {
    const e = this.isa.state[element]!;
    const count = e.count!;
    if (i.k === "c") {
      if (i.v >= BigInt(count)) {
        this.noteTrap();
        this.emit(J.throw(J.call(J.id("BADINDEX"), J.num(Number(i.v)), J.str(e.name), this.siteJs())));
        this.reachable = false;
        return 0;
      }
      return Number(i.v);
    }
    const m = materialize(i, this);
    const ix = num(m);
    if (2 ** width > count) {
      this.noteTrap();
      this.emit(J.if(J.bin(">=", ix, J.num(count)), [J.throw(J.call(J.id("BADINDEX"), ix, J.str(e.name), this.siteJs()))]));
    }
    return ix;
  }

  /** Register slots read and written (every slot of a file indexed dynamically). */
  readonly readSlots = new Set<number>();
  readonly writtenSlots = new Set<number>();

  private noteSlots(set: Set<number>, element: number, index: number | JExpr): void {
    const L = this.layout.limbs[element]!;
    const base = this.layout.offset[element]!;
    if (typeof index === "number") for (let j = 0; j < L; j++) set.add(base + index * L + j);
    else for (let j = 0; j < L * (this.isa.state[element]!.count ?? 1); j++) set.add(base + j);
  }

  private readReg(element: number, index: number | JExpr): Val {
    const e = this.isa.state[element]!;
    const known = this.assumed(element, index);
    if (known !== null) return C(known);
    this.noteSlots(this.readSlots, element, index);
    if (e.width <= 32) return N(this.regSlot(element, index, 0));
    return W(Array.from({ length: limbsOf(e.width) }, (_, j) => this.regSlot(element, index, j)));
  }

  /** The assumed value of a register entry, or null. */
  private assumed(element: number, index: number | JExpr): bigint | null {
    const a = this.assume;
    if (a === null || a.size === 0 || typeof index !== "number") return null;
    const L = this.layout.limbs[element]!;
    const at = this.layout.offset[element]! + index * L;
    let v = 0n;
    for (let j = L - 1; j >= 0; j--) {
      const x = a.get(at + j);
      if (x === undefined) return null;
      v = (v << 32n) | BigInt(x);
    }
    return v;
  }

  private forget(element: number, index: number | JExpr): void {
    const a = this.assume;
    if (a === null || a.size === 0) return;
    const L = this.layout.limbs[element]!;
    const base = this.layout.offset[element]!;
    const n = typeof index === "number" ? L : L * (this.isa.state[element]!.count ?? 1);
    const first = typeof index === "number" ? base + index * L : base;
    for (let j = 0; j < n; j++) a.delete(first + j);
  }

  private readPc(): Val {
    if (this.pcParam) return this.pcParam;
    const pcEl = this.isa.pc;
    const w = this.isa.state[pcEl]!.width;
    if (this.pc === null || this.pcState === "yes") return this.readReg(pcEl, 0);
    const known = C(this.pc);
    if (this.pcState === "no") return known;
    const reg = this.readReg(pcEl, 0);
    if (w <= 32) return N(J.cond(PCW, num(reg), num(known)));
    const kl = limbs(known, w);
    return W(limbs(reg, w).map((r, j) => J.cond(PCW, r, kl[j]!)));
  }

  private writeReg(element: number, index: number | JExpr, v: Val): void {
    const e = this.isa.state[element]!;
    const isPc = element === this.isa.pc;
    this.wrote = true;
    this.effects = true;
    this.forget(element, index);
    this.noteSlots(this.writtenSlots, element, index);
    const L = limbsOf(e.width);
    const ls = L === 1 ? [num(v)] : limbs(materialize(v, this), e.width);
    for (let j = 0; j < L; j++) {
      const slot = this.regSlot(element, index, j);
      if (this.options.journal) this.emit(J.expr(J.call(J.member(J.id("JN"), "reg"), slot.k === "index" ? slot.at : J.num(0))));
      this.emit(J.assign(slot, ls[j]!));
    }
    if (isPc && this.pc !== null) {
      this.writesPc = true;
      this.emit(J.assign(PCW, J.bool(true)));
      this.pcState = "yes";
    }
  }

  /** Before a halt: the PC stays on the halting instruction unless the instruction wrote it. */
  private fixPcForHalt(): void {
    if (this.pc === null || this.pcState === "yes") return;
    const w = this.isa.state[this.isa.pc]!.width;
    const set = limbs(C(this.pc), w).map((e, j) => J.assign(this.regSlot(this.isa.pc, 0, j), e));
    if (this.pcState === "no") set.forEach((s) => this.emit(s));
    else this.emit(J.if(J.un("!", PCW), set));
  }

  // ------------------------------------------------------------ memory

  /** Translates a virtual address for an access (inlining the spec's translate). */
  translate(va: Val, access: bigint): Val {
    const vw = this.isa.vaddrWidth;
    if (this.options.translateHook) {
      const big = vw <= 32 ? J.call(J.id("BigInt"), num(va)) : J.call(J.id("TOBIG"), ...limbs(va, vw));
      const t = this.temp();
      this.emit(J.assign(J.id(t), J.call(J.id("Number"), J.call(J.id("XLATE"), big, J.big(access), this.siteJs()))));
      this.noteTrap();
      this.hooked = true;
      return N(J.id(t));
    }
    if (this.isa.translate === null) return va;
    const h = this.helpers;
    const name = !h ? null : access === IR.ACCESS.FETCH ? h.fetch : access === IR.ACCESS.WRITE ? (this.options.journal ? h.writeJournaled : h.write) : this.options.journal ? h.readJournaled : h.read;
    if (name && this.assume !== null && this.assume.size > 0) {
      const inlined = this.translateInlineIfSmall(va, access);
      if (inlined !== null) return inlined;
    }
    if (name) {
      if (this.storedMemory && h!.readsMemory) this.translateAfterStore = true;
      this.noteTrap();
      const t = this.temp();
      this.emit(J.assign(J.id(t), J.call(J.id(name), ...limbs(va, vw), this.siteJs())));
      this.calledHelper();
      this.slowStores = true;
      this.codeStores = true;
      this.hooked = true;
      return N(J.id(t));
    }
    return this.translateInline(va, access);
  }

  /**
   * translate inlined when that is short in the block's mode (the identity in RISC-V's M-mode or
   * with ARM's MMU off); null (and nothing emitted) when the helper should be called instead.
   */
  private translateInlineIfSmall(va: Val, access: bigint): Val | null {
    const saved = {
      wrote: this.wrote, storedMemory: this.storedMemory, trapAfterWrite: this.trapAfterWrite,
      translateAfterStore: this.translateAfterStore, effects: this.effects, pcState: this.pcState, hooked: this.hooked, codeStores: this.codeStores,
    };
    let r: Val = ZERO;
    const list = this.capture(() => (r = this.translateInline(va, access)));
    if (printStmts(list).split("\n").length <= INLINE_TRANSLATE_LINES) {
      const reachable = this.reachable;
      this.reachable = true;
      list.forEach((s) => this.emit(s));
      this.reachable = reachable;
      return r;
    }
    Object.assign(this, saved);
    this.reachable = true;
    return null;
  }

  private translateInline(va: Val, access: bigint): Val {
    this.translating++;
    // The interpreter calls translate with next_pc = 0.
    const nextPc = this.nextPc;
    this.nextPc = ZERO;
    try {
      const r = this.inline(this.isa.translate!, [va, C(access)]);
      return materialize(r, this);
    } finally {
      this.translating--;
      this.nextPc = nextPc;
    }
  }

  private addr(pa: JExpr, k: number): JExpr {
    if (k === 0) return pa;
    const aw = this.isa.memory.addrWidth;
    if (pa.k === "num") return J.num((pa.v + k) % 2 ** aw);
    const sum = J.bin("+", pa, J.num(k));
    return aw === 32 ? J.bin(">>>", sum, J.num(0)) : J.bin("&", sum, J.num(2 ** aw - 1));
  }

  /** Chunks of a multi-unit access, least significant first: [unit offset, units]. */
  private chunks(units: number): [number, number][] {
    const uw = this.isa.memory.unitWidth;
    const per = 32 / uw;
    const big = this.isa.memory.endian === "big";
    const out: [number, number][] = [];
    for (let i0 = 0; i0 < units; i0 += per) {
      const m = Math.min(per, units - i0);
      out.push([big ? units - i0 - m : i0, m]);
    }
    return out;
  }

  private readMemory(pa: Val, units: number): Val {
    const w = units * this.isa.memory.unitWidth;
    const atStart = this.translating > 0;
    if (atStart && this.storedMemory) this.translateAfterStore = true;
    const useJournal = atStart && this.options.journal;
    const bytes = this.isa.memory.unitWidth === 8;
    const p = num(materialize(pa, this));
    const read = (a: JExpr, n: number) =>
      useJournal ? J.call(J.member(J.id("JN"), "readStart"), a, J.num(n)) : bytes && (n === 1 || n === 4) ? this.fastRead(a, n) : J.call(J.member(J.id("M"), "r"), a, J.num(n));
    if (w <= 32) return N(read(p, units));
    return materialize(W(this.chunks(units).map(([k, n]) => read(this.addr(p, k), n))), this);
  }

  /** Whether memory fast paths are inlined (not in the translate helpers, whose fetch variant runs on a counting memory). */
  inlineMemory = true;

  /**
   * A byte or aligned-word read of a byte memory (a = an atom): one access of the contiguous low
   * region (see PhysicalMemory.flatUnits) when the address is in it (and, for a word, aligned),
   * else the memory's method, which handles every other case the same way.
   */
  private fastRead(a: JExpr, n: number): JExpr {
    const g = this.geometry;
    const call = J.call(J.member(J.id("M"), n === 1 ? "r8" : "r32"), a);
    if (!this.inlineMemory || g.flatUnits === 0 || !isAtom(a)) return call;
    if (this.canExit()) {
      // One test (in the low region and aligned), else leave: the access itself is one typed-array read.
      this.emit(J.if(J.bin("!==", J.bin("&", a, J.num(this.outsideMask(n))), J.num(0)), this.exit!));
      return n === 1 ? J.index(J.id("F8"), a) : J.index(J.id("F32"), J.bin(">>>", a, J.num(2)));
    }
    const inFlat = J.bin("<", a, J.num(g.flatUnits));
    if (n === 1) return J.cond(inFlat, J.index(J.id("F8"), a), call);
    return J.cond(J.bin("&&", J.bin("===", J.bin("&", a, J.num(3)), J.num(0)), inFlat), J.index(J.id("F32"), J.bin(">>>", a, J.num(2))), call);
  }

  /**
   * A byte or aligned-word write of a byte memory: straight into the low region where its page
   * exists and holds no translated code (PhysicalMemory.slowWrite), else the memory's method, which
   * tells the block cache of a write into code (the block then checks rt.stale: `slowStores`).
   */
  private fastWrite(a: JExpr, units: number, v: JExpr, exitable: boolean): void {
    const g = this.geometry;
    const call = J.expr(J.call(J.member(J.id("M"), units === 1 ? "w8" : "w32"), a, v));
    if (!this.inlineMemory || g.flatUnits === 0 || !isAtom(a) || !isAtom(v)) {
      this.slowStores = true;
      this.codeStores = true;
      return this.emit(call);
    }
    const target = units === 1 ? J.index(J.id("F8"), a) : J.index(J.id("F32"), J.bin(">>>", a, J.num(2)));
    if (exitable) {
      // Pages holding code or not yet allocated are slowWrite: those stores leave with the rest.
      const outside = J.bin("!==", J.bin("&", a, J.num(this.outsideMask(units))), J.num(0));
      this.emit(J.if(J.bin("||", outside, J.bin("!==", J.index(J.id("SW"), J.bin(">>>", a, J.num(g.codeBits))), J.num(0))), this.exit!));
      this.emit(J.assign(target, v));
      return;
    }
    this.codeStores = true;
    let ok = J.bin("&&", J.bin("<", a, J.num(g.flatUnits)), J.bin("===", J.index(J.id("SW"), J.bin(">>>", a, J.num(g.codeBits))), J.num(0)));
    if (units === 4) ok = J.bin("&&", J.bin("===", J.bin("&", a, J.num(3)), J.num(0)), ok);
    this.emit(J.if(ok, [J.assign(target, v)], [call, J.assign(J.id("slow"), J.bool(true))]));
  }

  /**
   * A store of this code may have reached the memory's methods without setting the block's `slow`
   * flag (a journaled or multi-unit write, a translate helper): the block tests rt.stale itself.
   */
  slowStores = false;

  /** The bits of an address that must be clear for an n-unit access to be inline: at or past the low region, misaligned. */
  private outsideMask(n: number): number {
    const outside = 2 ** 32 - this.geometry.flatUnits;
    return (outside + (n === 4 ? 3 : n === 2 ? 1 : 0)) | 0;
  }

  private writeMemory(pa: Val, units: number, v: Val, w: number): void {
    const exitable = this.canExit();
    this.wrote = true;
    this.effects = true;
    this.storedMemory = true;
    const p = num(materialize(pa, this));
    if (this.options.journal) this.emit(J.expr(J.call(J.member(J.id("JN"), "mem"), p, J.num(units))));
    if (w <= 32) {
      const bytes = this.isa.memory.unitWidth === 8;
      if (bytes && (units === 4 || units === 1)) return this.fastWrite(p, units, num(v), exitable);
      this.slowStores = true;
      this.codeStores = true;
      this.emit(J.expr(J.call(J.member(J.id("M"), "w"), p, J.num(units), num(v))));
      return;
    }
    this.slowStores = true;
    this.codeStores = true;
    const m = materialize(v, this);
    const ls = limbs(m, w);
    this.chunks(units).forEach(([k, n], c) => this.emit(J.expr(J.call(J.member(J.id("M"), "w"), this.addr(p, k), J.num(n), ls[c]!))));
  }

  // ------------------------------------------------------------ functions

  private inline(fn: number, args: readonly Val[]): Val {
    const f = this.isa.functions[fn]!;
    const frame = this.newFrame(new Map(), f.result);
    // Arguments are evaluated before the body runs: hold anything that reads state.
    f.params.forEach((p, i) => {
      frame.env.set(p.slot, materialize(args[i] ?? ZERO, this));
      frame.types.set(p.slot, p.type);
    });
    return this.runFrame(frame, f.body);
  }

  /** Runs a body in a new frame (a call or an instruction); returns the frame's result. */
  private runFrame(frame: Frame, body: readonly IR.Stmt[]): Val {
    const saved = this.frame;
    this.frame = frame;
    const list = this.capture(() => this.stmts(body));
    const fellThrough = this.reachable;
    const pcAtEnd = this.pcState;
    this.frame = saved;
    if (frame.dynReturn && fellThrough && frame.resultVars) {
      // Ends without `return`: the interpreter's result is zero.
      frame.resultVars.forEach((n) => list.push(J.assign(J.id(n), frame.result?.kind === "bool" ? J.bool(false) : J.num(0))));
    }
    this.reachable = true;
    if (frame.label) this.emit({ k: "label", label: frame.label, body: list });
    else for (const s of list) this.emit(s);
    this.reachable = fellThrough || frame.dynReturn || frame.staticResult !== null;
    this.pcState = mergePc(fellThrough ? pcAtEnd : null, frame.returnPc) ?? pcAtEnd;
    if (frame.dynReturn) {
      const vars = frame.resultVars;
      if (!vars) return ZERO;
      return vars.length === 1 ? N(J.id(vars[0]!)) : W(vars.map((n) => J.id(n)));
    }
    return frame.staticResult ?? ZERO;
  }

  private doReturn(v: Val | null): void {
    if (!this.reachable) return;
    const frame = this.frame!;
    if (frame.dynDepth === 0 && !frame.dynReturn) {
      frame.staticResult = v ?? ZERO;
      frame.returnPc = mergePc(frame.returnPc, this.pcState);
      this.reachable = false;
      return;
    }
    if (!frame.label) frame.label = `L${this.prefix}${this.labels++}`;
    if (frame.result && v) {
      if (!frame.resultVars) frame.resultVars = Array.from({ length: frame.result.kind === "bits" ? limbsOf(frame.result.width) : 1 }, () => this.temp());
      const vars = frame.resultVars;
      if (vars.length === 1) this.emit(J.assign(J.id(vars[0]!), frame.result.kind === "bool" ? bool(v) : num(v)));
      else {
        const ls = limbs(materialize(v, this), (frame.result as { width: number }).width);
        vars.forEach((n, j) => this.emit(J.assign(J.id(n), ls[j]!)));
      }
    }
    if (frame.staticResult !== null) {
      // An earlier static return cannot coexist with a later dynamic one (the rest was dead).
      throw new Error("internal: static and dynamic return in one function");
    }
    this.emit({ k: "break", label: frame.label });
    frame.dynReturn = true;
    frame.returnPc = mergePc(frame.returnPc, this.pcState);
    this.reachable = false;
  }

  // ------------------------------------------------------------ expressions

  /**
   * Evaluates expressions left to right; a value that reads state is held in a temporary when a
   * later one emits statements (which may write state or trap first).
   */
  private seq(items: readonly (() => Val)[]): Val[] {
    const lists: JStmt[][] = [];
    const vals: Val[] = [];
    for (const item of items) {
      if (!this.reachable) {
        vals.push(ZERO);
        lists.push([]);
        continue;
      }
      let v: Val = ZERO;
      const list = this.capture(() => (v = item()));
      lists.push(list);
      vals.push(v);
    }
    for (let i = 0; i < vals.length; i++) {
      const later = lists.slice(i + 1).some((l) => l.length > 0);
      if (later && !stable(vals[i]!)) {
        const hold = this.capture(() => (vals[i] = materialize(vals[i]!, this)));
        lists[i]!.push(...hold);
      }
    }
    const wasReachable = this.reachable;
    this.reachable = true;
    for (const l of lists) for (const s of l) this.emit(s);
    this.reachable = wasReachable;
    return vals;
  }

  expr(e: IR.Expr): Val {
    if (!this.reachable) return ZERO;
    switch (e.kind) {
      case "const":
        return C(e.value);
      case "boolConst":
        return C(e.value ? 1n : 0n);
      case "reg":
        if (e.element === this.isa.pc) return this.readPc();
        return this.readReg(e.element, 0);
      case "regFile": {
        const i = this.expr(e.index);
        if (!this.reachable) return ZERO;
        const ix = this.checkIndex(e.element, i, IR.widthOf(e.index));
        return this.readReg(e.element, ix);
      }
      case "local":
        return this.frame!.env.get(e.slot) ?? ZERO;
      case "operand": {
        const v = this.frame!.operands.get(e.name);
        return C(v ?? 0n);
      }
      case "nextPc":
        return this.nextPc;
      case "slice":
        return slice(this.expr(e.value), IR.widthOf(e.value), e.hi, e.lo, this);
      case "concat": {
        const vals = this.seq(e.parts.map((p) => () => this.expr(p)));
        return concat(vals.map((v, i) => ({ v, w: IR.widthOf(e.parts[i]!) })), this);
      }
      case "zext":
        return zext(this.expr(e.value), IR.widthOf(e.value), e.width);
      case "sext":
        return sext(this.expr(e.value), IR.widthOf(e.value), e.width, this);
      case "unary":
        return unary(e.op, this.expr(e.value), IR.widthOf(e.value), this);
      case "binary":
        if (e.op === "land" || e.op === "lor") return this.shortCircuit(e.op, e.left, e.right);
        {
          const [l, r] = this.seq([() => this.expr(e.left), () => this.expr(e.right)]);
          return binary(e.op, l!, r!, IR.widthOf(e.left), this);
        }
      case "ite":
        return this.ite(e);
      case "load": {
        const a = this.expr(e.addr);
        if (!this.reachable) return ZERO;
        const pa = e.virtual ? this.translate(materialize(a, this), IR.ACCESS.READ) : a;
        if (!this.reachable) return ZERO;
        return this.readMemory(pa, e.units);
      }
      case "call": {
        const args = this.seq(e.args.map((a) => () => this.expr(a)));
        if (!this.reachable) return ZERO;
        return this.inline(e.fn, args);
      }
    }
  }

  private shortCircuit(op: "land" | "lor", left: IR.Expr, right: IR.Expr): Val {
    const l = this.expr(left);
    if (!this.reachable) return ZERO;
    if (l.k === "c") {
      if (op === "land" ? l.v === 0n : l.v !== 0n) return C(op === "land" ? 0n : 1n);
      const r = this.expr(right);
      return r.k === "c" ? C(r.v !== 0n ? 1n : 0n) : r;
    }
    let r: Val = ZERO;
    let rReach = true;
    const frameEnvSaved = this.frame ? new Map(this.frame.env) : null;
    const pc0 = this.pcState;
    const list = this.capture(() => {
      r = this.expr(right);
      rReach = this.reachable;
    });
    this.reachable = true;
    if (list.length === 0 && rReach) {
      if (r.k === "c") {
        // l && true = l; l && false = false; l || true = true; l || false = l.
        if (op === "land") return r.v !== 0n ? l : C(0n);
        return r.v !== 0n ? C(1n) : l;
      }
      return N(J.bin(op === "land" ? "&&" : "||", bool(l), bool(r)));
    }
    // The right side emits code: only on the path that evaluates it.
    if (frameEnvSaved) {
      this.frame!.env.clear();
      for (const [k, v] of frameEnvSaved) this.frame!.env.set(k, v);
    }
    const t = this.temp();
    const lj = bool(l);
    this.emit(J.assign(J.id(t), lj));
    if (rReach) list.push(J.assign(J.id(t), bool(r)));
    this.emit(J.if(op === "land" ? J.id(t) : J.un("!", J.id(t)), list));
    this.pcState = mergePc(pc0, this.pcState) ?? pc0;
    return N(J.id(t));
  }

  private ite(e: IR.Expr & { kind: "ite" }): Val {
    const c = this.expr(e.cond);
    if (!this.reachable) return ZERO;
    if (c.k === "c") return this.expr(c.v !== 0n ? e.then : e.else);
    const t = e.type;
    const w = widthOfType(t);
    const pc0 = this.pcState;
    const arm = (x: IR.Expr) => {
      let v: Val = ZERO;
      let reach = true;
      let pc: PcState = pc0;
      const list = this.capture(() => {
        this.pcState = pc0;
        v = this.expr(x);
        reach = this.reachable;
        pc = this.pcState;
      });
      this.reachable = true;
      return { v, list, reach, pc };
    };
    const a = arm(e.then);
    const b = arm(e.else);
    this.pcState = mergePc(a.reach ? a.pc : null, b.reach ? b.pc : null) ?? pc0;
    if (!a.reach && !b.reach) {
      this.emit(J.if(bool(c), a.list, b.list));
      this.reachable = false;
      return ZERO;
    }
    if (a.list.length === 0 && b.list.length === 0 && a.reach && b.reach && (!isWide(t) || (stable(a.v) && stable(b.v)))) {
      if (!isWide(t)) return N(J.cond(bool(c), t.kind === "bool" ? bool(a.v) : num(a.v), t.kind === "bool" ? bool(b.v) : num(b.v)));
      const cm = materialize(N(bool(c)), this);
      const la = limbs(a.v, w);
      const lb = limbs(b.v, w);
      return W(la.map((x, j) => J.cond(bool(cm), x, lb[j]!)));
    }
    const n = isWide(t) ? limbsOf(w) : 1;
    const vars = Array.from({ length: n }, () => this.temp());
    const assign = (arm: { v: Val; list: JStmt[]; reach: boolean }) => {
      if (!arm.reach) return;
      const ls = n === 1 ? [t.kind === "bool" ? bool(arm.v) : num(arm.v)] : limbs(arm.v, w);
      ls.forEach((x, j) => arm.list.push(J.assign(J.id(vars[j]!), x)));
    };
    assign(a);
    assign(b);
    this.emit(J.if(bool(c), a.list, b.list));
    return n === 1 ? N(J.id(vars[0]!)) : W(vars.map((x) => J.id(x)));
  }
}

function sameVal(a: Val, b: Val): boolean {
  if (a.k === "c" && b.k === "c") return a.v === b.v;
  if (a.k === "n" && b.k === "n") return a.e.k === "id" && b.e.k === "id" && a.e.name === b.e.name;
  if (a.k === "w" && b.k === "w") return a.l.length === b.l.length && a.l.every((x, i) => x.k === "id" && b.l[i]!.k === "id" && x.name === (b.l[i] as { name: string }).name);
  return false;
}

