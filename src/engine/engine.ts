/**
 * The fast execution engine: runs a spec's guest code as JavaScript blocks compiled from the IR,
 * with the same observable behaviour as Machine (src/machine/machine.ts) — tick before every
 * instruction, precise traps delivered through the spec's trap entry (or taken by onTrap), halt,
 * output, the `either` choice, step counts. The reference interpreter stays the oracle: the
 * equivalence tests run both and compare state and trap sequences.
 */
import * as IR from "../ir/ir.js";
import { Decoder, type Decoded } from "../machine/decoder.js";
import type { InterpreterOptions } from "../machine/interpreter.js";
import type { RunResult, StepResult, TrapDecision, TrapEvent } from "../machine/machine.js";
import { MachineState } from "../machine/state.js";
import { BlockCache } from "./cache.js";
import { currentMode, GUARD_FAIL, SLOW_EXIT, translateBlock, translateRegion, type Block, type BlockEntry, type BlockMode, type PatchRule, type Translator } from "./block.js";
import { compileHelpers, compileTick, compileTrapEntry } from "./functions.js";
import type { TranslateHelpers } from "./specialize.js";
import { fromLimbs, layoutOf, toLimbs, type RegisterLayout } from "./layout.js";
import { PhysicalMemory } from "./memory.js";
import { compileAddTicks, modePlan, type ModePlan } from "./mode.js";
import { EngineError, EngineHalt, EngineTrap, indexError, Journal, ops, PHASE, type Runtime } from "./runtime.js";

/** The interpreter's hooks the engine honours (onAccess is not supported yet). */
export type EngineOptions = Pick<InterpreterOptions, "choose" | "translate" | "fetchOverlay"> & {
  /** Longest block, in instructions (1 = one instruction per block). */
  readonly maxBlock?: number;
  /**
   * Runs of a block after which it is translated again as a region with the blocks it goes to
   * (see translateRegion; default 16, 0: at once, Infinity: never).
   */
  readonly regionAfter?: number;
  /**
   * The translate hook answers the same until the caller calls invalidate() (a VMM whose guest
   * cannot change its translation while it runs): blocks then skip their per-instruction fetch checks.
   */
  readonly translateStable?: boolean;
  /** Keep guest registers in JS locals inside blocks (default true; false: every access on the register array). */
  readonly registerLocals?: boolean;
};

/** The VMM's patcher (see Engine.patch): which instructions trap, and with what. */
export interface Patch {
  /** Chooses the instructions to replace (decoded instruction and its address). */
  readonly select: (decoded: Decoded, pc: bigint) => boolean;
  /** The trap they raise at their own address instead of running (a cause of the spec). */
  readonly cause: IR.Cause;
  readonly info?: bigint;
}

export interface EngineRunOptions {
  readonly maxSteps: number;
  readonly onTrap?: (trap: TrapEvent, engine: Engine) => TrapDecision;
}

export class Engine implements Translator, Runtime {
  readonly layout: RegisterLayout;
  readonly decoder: Decoder;
  readonly R: Uint32Array;
  readonly M: PhysicalMemory;
  readonly J: Journal;
  readonly output: bigint[] = [];
  readonly ops = ops;
  readonly stmtTable: IR.Stmt[] = [];
  readonly options: { readonly choose: boolean; readonly translateHook: boolean };
  readonly cache: BlockCache;
  halted = false;
  stale = false;
  /** Instructions a looping block ran in rounds before the current one (set by the block). */
  loopDone = 0;
  /** In a region: the index of the current block's first entry (set by the region). */
  loopBase = 0;
  /** Memory units read by fetch translation at translation time. */
  fetchReads = 0;
  readonly helpers: Record<string, unknown>;
  readonly translateHelpers: TranslateHelpers;
  readonly tickFn: ((...args: number[]) => void) | null;
  get tickOverridden(): boolean {
    return this.tickHook !== null;
  }
  readonly tickInline: boolean;
  get rt(): Runtime {
    return this;
  }
  get translateStable(): boolean {
    return this.hooks.translateStable === true;
  }
  get registerLocals(): boolean {
    return this.hooks.registerLocals !== false;
  }
  /** Instructions executed (steps that retired, trapped or halted). */
  steps = 0;
  private readonly pcOffset: number;
  private readonly pcLimbs: number;
  private readonly fetchXlate: (...va: number[]) => number;
  private readonly entry: (...args: number[]) => void;
  private readonly maxBlock: number;
  private readonly regionAfter: number;
  readonly plan: ModePlan;
  private readonly addTicks: (n: number) => void;
  /** Guard failures per block address: past a few, the block is translated without a mode. */
  private readonly guardFails = new Map<number, number>();
  private tickHook: (() => void) | null = null;
  patchRule: PatchRule | null = null;

  constructor(
    readonly isa: IR.Isa,
    state?: MachineState,
    private readonly hooks: EngineOptions = {},
  ) {
    this.layout = layoutOf(isa);
    this.decoder = new Decoder(isa);
    this.R = new Uint32Array(this.layout.size);
    this.M = new PhysicalMemory(isa.memory);
    this.J = new Journal(this.R, this.M, this.output);
    this.options = { choose: hooks.choose !== undefined, translateHook: hooks.translate !== undefined };
    this.maxBlock = hooks.maxBlock ?? 64;
    this.regionAfter = hooks.regionAfter ?? 16;
    this.cache = new BlockCache(isa, this.M, () => (this.stale = true));
    this.pcOffset = this.layout.offset[isa.pc]!;
    this.pcLimbs = this.layout.limbs[isa.pc]!;
    // Fetch translation at translation time counts its memory reads (see BlockEntry.fetchReadMemory).
    const M = this.M;
    const counting = {
      r: (pa: number, n: number) => (this.fetchReads++, M.r(pa, n)),
      r8: (pa: number) => (this.fetchReads++, M.r8(pa)),
      r32: (pa: number) => (this.fetchReads++, M.r32(pa)),
      u: (pa: number) => (this.fetchReads++, M.u(pa)),
      add: (pa: number, k: number) => M.add(pa, k),
    };
    const helpers = compileHelpers(isa, this.layout, this.options, this, Object.create(this, { M: { value: counting } }) as Runtime);
    this.helpers = helpers.functions;
    this.translateHelpers = helpers.names;
    this.fetchXlate = helpers.fetch;
    const tick = compileTick(isa, this.layout, this.options, this.translateHelpers, this);
    this.tickFn = tick?.fn ?? null;
    this.tickInline = tick?.inline ?? true;
    this.entry = compileTrapEntry(isa, this.layout, this.options, this.translateHelpers, this, this.stmtTable);
    this.plan = modePlan(isa, this.layout);
    this.addTicks = compileAddTicks(this.plan, isa, this.layout, this.R);
    this.load(state ?? new MachineState(isa));
  }

  // ------------------------------------------------------------ runtime (called by generated code)

  trap = (cause: number, info: number | readonly number[], at: number): EngineTrap => new EngineTrap(cause, info, at);
  halt = (at: number): EngineHalt => new EngineHalt(at);
  badIndex = (index: number, name: string, at: number): EngineError => indexError(index, name, at);

  /** The tick override, called by blocks (TICKO) with the tick's site. */
  tickO = (at: number): void => {
    try {
      this.tickHook!();
    } catch (e) {
      throw this.hookTrap(e, at);
    }
  };

  /** A trap thrown by a hook (the interpreter's TrapSignal: cause and info) as an EngineTrap. */
  private hookTrap(e: unknown, at: number): unknown {
    const t = e as { cause?: IR.Cause; info?: bigint };
    if (t && t.cause && typeof t.info === "bigint") return new EngineTrap(t.cause.id, toLimbs(t.info, 4), at);
    return e;
  }

  choose(branches: number, stmt: number): number {
    return this.hooks.choose!(branches, this.stmtTable[stmt]!);
  }

  xlate(va: bigint, access: bigint, at = -1): bigint {
    try {
      return this.hooks.translate!(va, access);
    } catch (e) {
      // The hook throws the interpreter's TrapSignal; generated code expects an EngineTrap at its site.
      throw this.hookTrap(e, at);
    }
  }

  // ------------------------------------------------------------ translator

  fetchTranslate(va: number): number {
    const vl = this.layoutLimbs(this.isa.vaddrWidth);
    if (vl === 1) return this.fetchXlate(va, 0);
    return this.fetchXlate(...toLimbs(BigInt(va), vl), 0);
  }

  fetchRead(pa: number, first: boolean): bigint {
    const per = this.isa.memory.fetchUnit / this.isa.memory.unitWidth;
    const overlay = first ? this.hooks.fetchOverlay : undefined;
    if (!overlay) return BigInt(this.M.r(pa, per));
    const big = this.isa.memory.endian === "big";
    let v = 0n;
    for (let i = 0; i < per; i++) {
      const a = this.M.add(pa, big ? i : per - 1 - i);
      v = (v << BigInt(this.isa.memory.unitWidth)) | (overlay(BigInt(a)) ?? BigInt(this.M.u(a)));
    }
    return v;
  }

  // ------------------------------------------------------------ state

  /** The program counter. */
  get pc(): number {
    if (this.pcLimbs === 1) return this.R[this.pcOffset]!;
    return Number(fromLimbs(this.R, this.pcOffset, this.pcLimbs));
  }

  set pc(v: number) {
    toLimbs(BigInt(v), this.pcLimbs).forEach((l, j) => (this.R[this.pcOffset + j] = l));
  }

  /** Replaces the whole state (registers, memory, output, halted) with s. */
  load(s: MachineState): void {
    this.isa.state.forEach((e, id) => {
      const L = this.layout.limbs[id]!;
      s.regs[id]!.forEach((v, i) => toLimbs(v, L).forEach((l, j) => (this.R[this.layout.offset[id]! + i * L + j] = l)));
    });
    this.M.clear();
    for (const [a, v] of s.memory) this.M.setU(Number(a), Number(v));
    this.output.length = 0;
    this.output.push(...s.output);
    this.halted = s.halted;
    this.cache.clear();
  }

  /** The state as a MachineState (a copy). */
  snapshot(): MachineState {
    const s = new MachineState(this.isa);
    this.isa.state.forEach((e, id) => {
      const L = this.layout.limbs[id]!;
      for (let i = 0; i < (e.count ?? 1); i++) s.regs[id]![i] = fromLimbs(this.R, this.layout.offset[id]! + i * L, L);
    });
    for (const [a, v] of this.M.entries()) s.memory.set(BigInt(a), BigInt(v));
    s.output.push(...this.output);
    s.halted = this.halted;
    return s;
  }

  /** Places memory units at physical addresses. */
  write(address: number, units: readonly number[]): void {
    units.forEach((u, i) => this.M.setU(this.M.add(address, i), u));
  }

  // ------------------------------------------------------------ running

  private block(pc: number, remaining: number): Block {
    const single = remaining < this.maxBlock;
    const b = single ? this.cache.getSingle(pc) : this.cache.get(pc);
    return b ?? this.translateAt(pc, single, currentMode(this));
  }

  private translateAt(pc: number, single: boolean, mode: BlockMode): Block {
    const b = translateBlock(this, pc, single ? 1 : this.maxBlock, mode);
    if (single) this.cache.putSingle(b, this.isa);
    else this.cache.put(b, this.isa);
    return b;
  }

  /** The hot block b as a region with the blocks it goes to, if there are any (else b). */
  private regionAt(b: Block): Block {
    const r = translateRegion(this, b.pc, this.maxBlock, currentMode(this));
    if (r === null) return b;
    b.valid = false;
    this.cache.put(r, this.isa);
    return r;
  }

  /**
   * The block b, entered at pc (a region may be entered at any of its blocks), failed its mode
   * guard: translate the block at pc again for the current mode (or for none, when that keeps happening).
   */
  private retranslate(b: Block, pc: number): Block {
    const fails = (this.guardFails.get(pc) ?? 0) + 1;
    this.guardFails.set(pc, fails);
    const single = b.entries.length === 1 && this.cache.getSingle(pc) === b;
    this.cache.forget(pc);
    return this.translateAt(pc, single, fails > MODE_RETRIES ? { assume: null, fold: false } : currentMode(this));
  }

  /** The block at pc as it would run now (translated and cached if it was not). */
  translate(pc: bigint): Block {
    return this.block(Number(pc), Infinity);
  }

  /** One step (tick and one instruction), like Machine.step. */
  step(onTrap?: EngineRunOptions["onTrap"]): StepResult {
    const r = this.run({ maxSteps: 1, onTrap });
    return this.lastResult ?? { kind: "error", message: r.message ?? "no step" };
  }

  private lastResult: StepResult | null = null;

  /** Runs until halt, a stop, an error or maxSteps steps, like Machine.run. */
  run(options: EngineRunOptions): RunResult {
    let steps = 0;
    let skip = false;
    this.lastResult = null;
    if (this.halted && options.maxSteps > 0) {
      this.lastResult = { kind: "halted", pc: BigInt(this.pc) };
      return { status: "halted", steps: 1, last: this.lastResult };
    }
    // The last retired instruction, made into a StepResult only when the run ends.
    let lastBlock: Block | null = null;
    let lastIndex = 0;
    // The block that ran last: its successor cache saves the lookup when control goes where it went before.
    let prev: Block | null = null;
    // The last block left before the instruction at the PC (SLOW_EXIT): run it as a block of its own.
    let slowStep = false;
    while (steps < options.maxSteps) {
      const pc = this.pc;
      let b: Block;
      const full = options.maxSteps - steps >= this.maxBlock && !slowStep;
      if (slowStep) b = this.cache.getSingle(pc) ?? this.translateAt(pc, true, currentMode(this));
      else if (prev !== null && prev.succPc === pc && prev.succ!.valid && full) b = prev.succ!;
      else {
        b = this.block(pc, options.maxSteps - steps);
        if (prev !== null && full) {
          prev.succPc = pc;
          prev.succ = b;
        }
      }
      prev = null;
      slowStep = false;
      // A block that loops in place for long already runs without the engine: as part of a region
      // it would only make V8 compile (and, when a path it has not run yet is taken, recompile) more code.
      if (++b.runs === this.regionAfter + 1 && !b.region && full && b.ran < LONG_RUN * b.runs) b = this.regionAt(b);
      let r: number;
      this.stale = false;
      // A looping block or region returns at least every SLICE instructions: V8 optimizes a function
      // that runs long only by on-stack replacement, and one that deoptimized (a path it had not seen
      // yet) would otherwise go on in the interpreter until it returns. Its first runs are short, so
      // that its entry and way out (writing registers back) have run before V8 optimizes the loop:
      // code V8 has never seen run becomes a deoptimization when it first runs.
      const budget = Math.min(options.maxSteps - steps, b.runs <= WARM_RUNS ? WARM_SLICE : SLICE);
      try {
        r = b.run(skip, budget);
        if (r === GUARD_FAIL) {
          b = this.retranslate(b, pc);
          r = b.run(skip, budget);
          if (r === GUARD_FAIL) throw new Error("engine: a block failed the mode it was just translated for");
        }
        // A looping block's count is from the instructions of its earlier rounds (see Block.loops).
        if (b.loops) r += this.loopDone;
      } catch (e) {
        const earlier = b.loops ? this.loopDone : 0;
        const base = b.region ? this.loopBase : 0;
        if (b.fold && (e instanceof EngineTrap || e instanceof EngineHalt || e instanceof EngineError)) this.folded(earlier + (e.site >> 2) + 1, skip);
        skip = false;
        lastBlock = null;
        const outcome = this.caught(e, b, options, base);
        outcome.steps += earlier;
        steps += outcome.steps;
        this.steps += outcome.steps;
        if (outcome.result) return { ...outcome.result, steps };
        continue;
      }
      if (r >= SLOW_EXIT) {
        // Left before instruction n (its tick has run, nothing else of it): it runs next, alone.
        const n = r - SLOW_EXIT;
        if (b.fold) this.folded(n + 1, skip);
        steps += n;
        this.steps += n;
        skip = true;
        slowStep = true;
        continue;
      }
      if (b.fold) this.folded(r >= 0 ? r : -r, skip);
      prev = b;
      if (r >= 0) {
        b.ran += r;
        steps += r;
        this.steps += r;
        skip = false;
        if (r > 0) {
          lastBlock = b;
          lastIndex = r - 1 - (b.loops ? this.loopDone : 0) + (b.region ? this.loopBase : 0);
        }
      } else {
        // Instruction -(r+1) no longer fetches from where it was translated: its tick has run.
        const done = -r - 1;
        steps += done;
        this.steps += done;
        skip = true;
        this.cache.forget(this.pc);
      }
    }
    if (lastBlock) {
      const e = lastBlock.entries[lastIndex]!;
      this.lastResult = { kind: "retired", pc: BigInt(e.pc), decoded: e.decoded! };
    }
    return { status: "limit", steps, last: this.lastResult };
  }

  /** A folded block ran n ticks (one fewer when the first had run before): count them. */
  private folded(n: number, skip: boolean): void {
    const k = skip ? n - 1 : n;
    if (k > 0) this.addTicks(k);
  }

  /** Handles a signal thrown by a block: returns the steps it completed and, if the run ends, its result. */
  private caught(e: unknown, b: Block, options: EngineRunOptions, base: number): { steps: number; result?: Omit<RunResult, "steps"> } {
    if (e instanceof EngineTrap) {
      const index = base + (e.site >> 2);
      const phase = e.site & 3;
      const entry = b.entries[index]!;
      if (phase === PHASE.exec) this.J.rollback();
      this.J.n = 0;
      this.pc = entry.pc;
      const cause = this.isa.causes[e.cause]!;
      const t: TrapEvent = {
        cause,
        info: e.infoValue(),
        pc: BigInt(entry.pc),
        nextPc: BigInt(phase === PHASE.exec ? entry.nextPc : entry.pc),
        instruction: phase === PHASE.exec ? entry.decoded!.instruction : null,
        operands: phase === PHASE.exec ? entry.decoded!.operands : undefined,
        fromTick: phase === PHASE.tick,
      };
      return { steps: (e.site >> 2) + 1, result: this.trapped(t, options) };
    }
    if (e instanceof EngineHalt) {
      this.J.n = 0;
      this.halted = true;
      const entry = b.entries[base + (e.site >> 2)]!;
      this.lastResult = { kind: "halted", pc: BigInt(entry.pc) };
      return { steps: (e.site >> 2) + 1, result: { status: "halted", last: this.lastResult } };
    }
    if (e instanceof EngineError) {
      if ((e.site & 3) === PHASE.exec) this.J.rollback();
      this.J.n = 0;
      this.pc = b.entries[base + (e.site >> 2)]!.pc;
      this.lastResult = { kind: "error", message: e.message };
      return { steps: (e.site >> 2) + 1, result: { status: "error", last: this.lastResult, message: e.message } };
    }
    throw e;
  }

  /** The trap hook and delivery; a result when the run ends here. */
  private trapped(t: TrapEvent, options: EngineRunOptions): Omit<RunResult, "steps"> | undefined {
    const decision = options.onTrap ? options.onTrap(t, this) : "deliver";
    if (decision === "deliver") {
      const err = this.deliver(t);
      if (err !== null) {
        this.lastResult = { kind: "error", message: err };
        return { status: "error", last: this.lastResult, message: err };
      }
      if (this.halted) {
        this.lastResult = { kind: "halted", pc: BigInt(this.pc) };
        return { status: "halted", last: this.lastResult };
      }
    }
    this.lastResult = { kind: "trap", trap: t, decision };
    if (decision === "stop") return { status: "stopped", last: this.lastResult };
    return undefined;
  }

  /** Runs the spec's trap entry for t; returns an error message if it misbehaves. */
  deliver(t: TrapEvent): string | null {
    const entry = this.isa.trapEntry;
    const codeArgs = toLimbs(t.cause.code, this.layoutLimbs(entry.causeWidth));
    const infoArgs = toLimbs(t.info, this.layoutLimbs(entry.infoWidth ?? 1));
    const nextArgs = toLimbs(t.nextPc, this.pcLimbs);
    this.J.n = 0;
    try {
      this.entry(...codeArgs, ...infoArgs, ...nextArgs);
      this.J.n = 0;
      return null;
    } catch (e) {
      if (e instanceof EngineHalt) {
        this.J.n = 0;
        this.halted = true;
        return null;
      }
      this.J.rollback();
      if (e instanceof EngineTrap) {
        return `trap '${this.isa.causes[e.cause]!.name}' raised while delivering trap '${t.cause.name}' (the trap entry must not trap)`;
      }
      if (e instanceof EngineError) return e.message;
      throw e;
    }
  }

  private layoutLimbs(width: number): number {
    return width <= 32 ? 1 : Math.ceil(width / 32);
  }

  /** Forgets every translated block (after the caller changed code or mappings behind the engine's back). */
  invalidate(): void {
    this.cache.clear();
    this.guardFails.clear();
  }

  // ------------------------------------------------------------ the VMM's hooks

  /** Told of every guest write into translated code (its physical address), after the blocks fetched from it were dropped. */
  get onCodeWrite(): ((pa: number) => void) | null {
    return this.cache.onCodeWrite;
  }

  set onCodeWrite(f: ((pa: number) => void) | null) {
    this.cache.onCodeWrite = f;
  }

  /**
   * Runs instead of the spec's tick before every instruction (a VMM advances a guest's time on its
   * virtual state); a trap it throws (the interpreter's TrapSignal) is taken as a tick trap. Setting
   * it drops every block.
   */
  get tickOverride(): (() => void) | null {
    return this.tickHook;
  }

  set tickOverride(f: (() => void) | null) {
    this.tickHook = f;
    this.invalidate();
  }

  /**
   * The patcher: blocks are translated with the instructions `select` chooses replaced by a trap of
   * `cause` at their own address (the trap's pc; nothing of the instruction runs), in the same block
   * cache as direct execution. Setting it (or null, for none) drops every block.
   */
  get patch(): Patch | null {
    return this.patchSpec;
  }

  set patch(p: Patch | null) {
    this.patchSpec = p;
    this.patchRule = p && {
      select: (d, pc) => p.select(d, BigInt(pc)),
      cause: p.cause.id,
      info: Number(p.info ?? 0n),
    };
    this.invalidate();
  }

  private patchSpec: Patch | null = null;
}

/** Instructions per run, on average, from which a block is not made into a region. */
const LONG_RUN = 256;

/** Instructions a block runs at most per call (see run), and in its first WARM_RUNS runs. */
const SLICE = 1 << 20;
const WARM_RUNS = 3;
const WARM_SLICE = 1 << 10;

/** Guard failures at one address before its block is translated without a mode. */
const MODE_RETRIES = 4;

export type { BlockEntry };
