/**
 * The reference interpreter: executes IR statements on a MachineState. It is deliberately plain
 * (a tree walk over bigints) because it is the oracle everything faster is compared with.
 * Traps, halt and early return travel as exceptions of the classes below; they are control flow of
 * the simulated machine, never errors of popek.
 */
import * as IR from "../ir/ir.js";
import { big } from "../ir/bitops.js";
import { binop } from "../ir/pure.js";
import type { MachineState } from "./state.js";

/** The simulated instruction raised a trap. */
export class TrapSignal {
  constructor(
    readonly cause: IR.Cause,
    readonly info: bigint,
  ) {}
}

/** The simulated machine halted. */
export class HaltSignal {}

/** A spec that the checker accepted but that misbehaves at run time (e.g. a trap inside the trap entry). */
export class MachineError extends Error {}

export interface Frame {
  readonly locals: bigint[];
  readonly operands: ReadonlyMap<string, bigint>;
  readonly nextPc: bigint;
}

export interface InterpreterOptions {
  /** Told of every memory access an instruction makes (va is null for a physical access). */
  readonly onAccess?: (kind: "read" | "write" | "fetch", va: bigint | null, pa: bigint, units: number) => void;
  /**
   * Replaces the spec's translate (a VMM runs the guest under its own composed translation). It may
   * throw TrapSignal like the spec's translate does.
   */
  readonly translate?: (va: bigint, access: bigint) => bigint;
  /**
   * Supplies the units of an instruction's first fetch unit instead of memory (a VMM's patched
   * code); undefined = memory. Only the first: a patch replaces the instruction that starts there,
   * and an instruction that starts elsewhere and runs over it (x86 code jumping into the middle of
   * another instruction) fetches the guest's own bytes.
   */
  readonly fetchOverlay?: (pa: bigint) => bigint | undefined;
  /** Picks a branch of an `either` (UNPREDICTABLE); default: the first. */
  readonly choose?: (branches: number, stmt: IR.Stmt) => number;
  /**
   * Told which way every two-way decision went: an if statement, a conditional expression, a
   * short-circuit && or || (its left operand), a comparison. The analysis's mutational search steers
   * by it.
   */
  readonly onBranch?: (node: IR.Stmt | IR.Expr, taken: boolean) => void;
}

const mask = (v: bigint, w: number) => BigInt.asUintN(w, v);

/** A function's operands: none (it reads its parameters). */
const NO_OPERANDS: ReadonlyMap<string, bigint> = new Map();

/** The operators whose outcome onBranch is told of, as a decision's (see InterpreterOptions). */
const COMPARISONS: ReadonlySet<IR.BinOp> = new Set(["eq", "ne", "ult", "ule", "ugt", "uge", "slt", "sle", "sgt", "sge"]);

export class Interpreter {
  /** Set when the current instruction wrote the program counter. */
  pcWritten = false;

  constructor(
    readonly isa: IR.Isa,
    public state: MachineState,
    private readonly options: InterpreterOptions = {},
  ) {}

  // ------------------------------------------------------------ memory

  /** Inside the spec's translate: its memory reads see memory as the instruction found it. */
  private translating = 0;

  translate(vaddr: bigint, access: bigint): bigint {
    if (this.options.translate) return this.options.translate(vaddr, access);
    if (this.isa.translate === null) return vaddr;
    this.translating++;
    try {
      return this.call(this.isa.translate, [vaddr, access], 0n)!;
    } finally {
      this.translating--;
    }
  }

  private readPhysical(pa: bigint, units: number): bigint {
    const { unitWidth, addrWidth, endian } = this.isa.memory;
    const atStart = this.translating > 0;
    let v = 0n;
    for (let i = 0; i < units; i++) {
      const k = endian === "big" ? i : units - 1 - i;
      const a = mask(pa + big(k), addrWidth);
      v = (v << big(unitWidth)) | (atStart ? this.state.readUnitAtStart(a) : this.state.readUnit(a));
    }
    return v;
  }

  private writePhysical(pa: bigint, units: number, value: bigint): void {
    const { unitWidth, addrWidth, endian } = this.isa.memory;
    for (let i = 0; i < units; i++) {
      const k = endian === "big" ? units - 1 - i : i;
      this.state.writeUnit(mask(pa + big(k), addrWidth), mask(value >> big(i * unitWidth), unitWidth));
    }
  }

  load(addr: bigint, units: number, virtual: boolean): bigint {
    const pa = virtual ? this.translate(addr, IR.ACCESS.READ) : addr;
    this.options.onAccess?.("read", virtual ? addr : null, pa, units);
    return this.readPhysical(pa, units);
  }

  store(addr: bigint, units: number, value: bigint, virtual: boolean): void {
    const pa = virtual ? this.translate(addr, IR.ACCESS.WRITE) : addr;
    this.options.onAccess?.("write", virtual ? addr : null, pa, units);
    this.writePhysical(pa, units, value);
  }

  /** Reads the k-th fetch unit of the instruction at pc (through translation, access FETCH). */
  fetchUnit(pc: bigint, k: number): bigint {
    const { fetchUnit, unitWidth, addrWidth, endian } = this.isa.memory;
    const per = fetchUnit / unitWidth;
    const va = mask(pc + big(k * per), this.isa.vaddrWidth);
    const pa = this.translate(va, IR.ACCESS.FETCH);
    this.options.onAccess?.("fetch", va, pa, per);
    const overlay = k === 0 ? this.options.fetchOverlay : undefined;
    if (!overlay) return this.readPhysical(pa, per);
    let v = 0n;
    for (let i = 0; i < per; i++) {
      const j = endian === "big" ? i : per - 1 - i;
      const a = mask(pa + big(j), addrWidth);
      v = (v << big(unitWidth)) | (overlay(a) ?? this.state.readUnit(a));
    }
    return v;
  }

  // ------------------------------------------------------------ functions

  /** Calls function fn with args; returns its result (null for none). */
  call(fn: number, args: readonly bigint[], nextPc: bigint, operands: ReadonlyMap<string, bigint> = NO_OPERANDS): bigint | null {
    const f = this.isa.functions[fn]!;
    const locals = new Array<bigint>(f.slots).fill(0n);
    f.params.forEach((p, i) => (locals[p.slot] = args[i]!));
    if (!this.exec(f.body, { locals, operands, nextPc })) return null;
    const v = this.returned;
    this.returned = null;
    return v;
  }

  /** Runs a body (instruction semantics, tick) to its end or to an early `return;`. */
  runBody(body: readonly IR.Stmt[], frame: Frame): void {
    this.exec(body, frame);
    this.returned = null;
  }

  // ------------------------------------------------------------ statements

  /**
   * What the `return` that ended the running function returned, until its caller takes it. A return
   * unwinds by the statements' results (true: returned), not by an exception: x86's translate
   * returns from nested functions on every access, and a throw each time was a sixth of the
   * analysis's concrete search.
   */
  private returned: bigint | null = null;

  /** Runs statements in order; true when one of them returned (the rest are not run). */
  exec(stmts: readonly IR.Stmt[], f: Frame): boolean {
    for (const s of stmts) if (this.stmt(s, f)) return true;
    return false;
  }

  private stmt(s: IR.Stmt, f: Frame): boolean {
    switch (s.kind) {
      case "let":
      case "setLocal":
        f.locals[s.slot] = this.eval(s.value, f);
        return false;
      case "setReg":
        if (s.element === this.isa.pc) this.pcWritten = true;
        this.state.setReg(s.element, 0, this.eval(s.value, f));
        return false;
      case "setRegFile": {
        const i = Number(this.eval(s.index, f));
        const v = this.eval(s.value, f);
        const count = this.isa.state[s.element]!.count!;
        if (i >= count) throw new MachineError(`index ${i} outside register file ${this.isa.state[s.element]!.name}`);
        this.state.setReg(s.element, i, v);
        return false;
      }
      case "store": {
        const a = this.eval(s.addr, f);
        const v = this.eval(s.value, f);
        this.store(a, s.units, v, s.virtual);
        return false;
      }
      case "if": {
        const c = this.eval(s.cond, f) !== 0n;
        this.options.onBranch?.(s, c);
        return this.exec(c ? s.then : s.else, f);
      }
      case "trap": {
        const info = s.arg ? this.eval(s.arg, f) : 0n;
        throw new TrapSignal(this.isa.causes[s.cause]!, info);
      }
      case "halt":
        throw new HaltSignal();
      case "either": {
        const k = this.options.choose ? this.options.choose(s.branches.length, s) : 0;
        return this.exec(s.branches[Math.min(k, s.branches.length - 1)]!, f);
      }
      case "output":
        this.state.emit(this.eval(s.value, f));
        return false;
      case "return":
        this.returned = s.value ? this.eval(s.value, f) : null;
        return true;
      case "call":
        this.eval(s.call, f);
        return false;
    }
  }

  // ------------------------------------------------------------ expressions

  eval(e: IR.Expr, f: Frame): bigint {
    switch (e.kind) {
      case "const":
        return e.value;
      case "boolConst":
        return e.value ? 1n : 0n;
      case "reg":
        return this.state.reg(e.element);
      case "regFile": {
        const i = Number(this.eval(e.index, f));
        const count = this.isa.state[e.element]!.count!;
        if (i >= count) throw new MachineError(`index ${i} outside register file ${this.isa.state[e.element]!.name}`);
        return this.state.reg(e.element, i);
      }
      case "local":
        return f.locals[e.slot]!;
      case "operand":
        return f.operands.get(e.name) ?? 0n;
      case "nextPc":
        return f.nextPc;
      case "slice":
        return mask(this.eval(e.value, f) >> big(e.lo), e.width);
      case "concat": {
        let v = 0n;
        for (const p of e.parts) v = (v << big(IR.widthOf(p))) | this.eval(p, f);
        return v;
      }
      case "zext":
        return this.eval(e.value, f);
      case "sext":
        return mask(BigInt.asIntN(IR.widthOf(e.value), this.eval(e.value, f)), e.width);
      case "unary": {
        const v = this.eval(e.value, f);
        if (e.op === "lnot") return v ? 0n : 1n;
        const w = IR.widthOf(e.value);
        return e.op === "not" ? mask(~v, w) : mask(-v, w);
      }
      case "binary": {
        // && and || short-circuit, so a guard can protect a trapping call on its right.
        if (e.op === "land" || e.op === "lor") {
          const c = this.eval(e.left, f) !== 0n;
          this.options.onBranch?.(e, c);
          return e.op === "land" ? (c ? this.eval(e.right, f) : 0n) : c ? 1n : this.eval(e.right, f);
        }
        const l = this.eval(e.left, f);
        const r = this.eval(e.right, f);
        const v = binop(e.op, l, r, IR.widthOf(e.left));
        if (this.options.onBranch && COMPARISONS.has(e.op)) this.options.onBranch(e, v !== 0n);
        return v;
      }
      case "ite": {
        const c = this.eval(e.cond, f) !== 0n;
        this.options.onBranch?.(e, c);
        return c ? this.eval(e.then, f) : this.eval(e.else, f);
      }
      case "load":
        return this.load(this.eval(e.addr, f), e.units, e.virtual);
      case "call": {
        const args = e.args.map((a) => this.eval(a, f));
        return this.call(e.fn, args, f.nextPc) ?? 0n;
      }
    }
  }
}
