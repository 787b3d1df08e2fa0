/**
 * What generated blocks call at run time: the trap and halt signals they throw, the per-instruction
 * undo journal (precise traps for instructions that may trap after a write, and the "memory as the
 * instruction found it" reads of translate), and the few operations that are not one JS operator.
 */
import { binop } from "../ir/pure.js";
import type * as IR from "../ir/ir.js";
import { fromLimbs } from "./layout.js";
import type { PhysicalMemory } from "./memory.js";

/** Where a trap or halt was raised: instruction index within the block and phase. */
export const PHASE = { exec: 0, tick: 1, fetch: 2, call: 3 } as const;

export function site(index: number, phase: number): number {
  return index * 4 + phase;
}

/** A trap raised by generated code; info is a number or limbs (least significant first). */
export class EngineTrap {
  constructor(
    readonly cause: number,
    readonly info: number | readonly number[],
    readonly site: number,
  ) {}

  infoValue(): bigint {
    return typeof this.info === "number" ? BigInt(this.info) : fromLimbs(this.info);
  }
}

/** A spec error raised by generated code (the interpreter's MachineError), with its site. */
export class EngineError {
  constructor(
    readonly message: string,
    readonly site: number,
  ) {}
}

/** A halt raised by generated code. */
export class EngineHalt {
  constructor(readonly site: number) {}
}

const REG = 0;
const MEM = 1;
const OUT = 2;

/**
 * Old values of what the current instruction wrote, oldest first: undone on a trap, consulted by
 * translate's reads (which see memory as it was when the instruction started).
 */
export class Journal {
  n = 0;
  private kind: number[] = [];
  private at: number[] = [];
  private old: number[] = [];

  constructor(
    private readonly R: Uint32Array,
    private readonly M: PhysicalMemory,
    private readonly output: bigint[],
  ) {}

  private push(k: number, at: number, old: number): void {
    this.kind[this.n] = k;
    this.at[this.n] = at;
    this.old[this.n] = old;
    this.n++;
  }

  /** Before writing register slot off. */
  reg(off: number): void {
    this.push(REG, off, this.R[off]!);
  }

  /** Before writing n units at pa. */
  mem(pa: number, n: number): void {
    for (let k = 0; k < n; k++) {
      const a = this.M.add(pa, k);
      this.push(MEM, a, this.M.u(a));
    }
  }

  /** Before appending to the output. */
  out(): void {
    this.push(OUT, 0, 0);
  }

  /** Undoes everything since the last commit. */
  rollback(): void {
    for (let i = this.n - 1; i >= 0; i--) {
      const k = this.kind[i];
      if (k === REG) this.R[this.at[i]!] = this.old[i]!;
      else if (k === MEM) this.M.setU(this.at[i]!, this.old[i]!);
      else this.output.pop();
    }
    this.n = 0;
  }

  /** A unit's value when the instruction started. */
  private unitAtStart(a: number): number {
    for (let i = 0; i < this.n; i++) if (this.kind[i] === MEM && this.at[i] === a) return this.old[i]!;
    return this.M.u(a);
  }

  /** n units at pa (at most 32 bits) as they were when the instruction started. */
  readStart(pa: number, n: number): number {
    if (this.n === 0) return this.M.r(pa, n);
    let v = 0;
    const w = 2 ** this.M.unitWidth;
    for (let i = 0; i < n; i++) {
      const k = this.M.big ? i : n - 1 - i;
      v = v * w + this.unitAtStart(this.M.add(pa, k));
    }
    return v;
  }
}

const U32 = 0x100000000;

function signed(v: number, w: number): number {
  return w === 32 ? v | 0 : (v << (32 - w)) >> (32 - w);
}

function maskOf(w: number): number {
  return w === 32 ? 0xffffffff : 2 ** w - 1;
}

/** Operations on w-bit unsigned numbers (w <= 32) with the IR's meaning (see ir/bitops.ts). */
export const ops = {
  udiv: (l: number, r: number, w: number): number => (r === 0 ? maskOf(w) : Math.floor(l / r)),
  urem: (l: number, r: number): number => (r === 0 ? l : l % r),
  sdiv(l: number, r: number, w: number): number {
    const a = signed(l, w);
    if (r === 0) return a < 0 ? 1 : maskOf(w);
    const q = Math.trunc(a / signed(r, w));
    return w === 32 ? q >>> 0 : q & maskOf(w);
  },
  srem(l: number, r: number, w: number): number {
    if (r === 0) return l;
    const q = signed(l, w) % signed(r, w);
    return w === 32 ? q >>> 0 : q & maskOf(w);
  },
  shl: (l: number, r: number, w: number): number => (r >= w ? 0 : w === 32 ? (l << r) >>> 0 : (l << r) & maskOf(w)),
  lshr: (l: number, r: number, w: number): number => (r >= w ? 0 : l >>> r),
  ashr(l: number, r: number, w: number): number {
    const a = signed(l, w) >> Math.min(r, 31);
    return w === 32 ? a >>> 0 : a & maskOf(w);
  },
  rol(l: number, r: number, w: number): number {
    const k = r % w;
    if (k === 0) return l;
    return w === 32 ? ((l << k) | (l >>> (32 - k))) >>> 0 : ((l << k) & maskOf(w)) | (l >>> (w - k));
  },
  ror(l: number, r: number, w: number): number {
    const k = r % w;
    if (k === 0) return l;
    return w === 32 ? ((l >>> k) | (l << (32 - k))) >>> 0 : (l >>> k) | ((l << (w - k)) & maskOf(w));
  },
  /** A BigInt operation on wide values, given and returned as bigints. */
  big: (op: IR.BinOp, l: bigint, r: bigint, w: number): bigint => binop(op, l, r, w),
  /** Limbs (least significant first) to a bigint. */
  toBig: (...limbs: number[]): bigint => fromLimbs(limbs),
  /** Limb k of a bigint. */
  limb: (v: bigint, k: number): number => Number((v >> BigInt(32 * k)) & 0xffffffffn),
  limbs: (...xs: number[]): number[] => xs,
  bigSext: (v: bigint, w: number, to: number): bigint => BigInt.asUintN(to, BigInt.asIntN(w, v)),
  U32,
};

/** Thrown for a register-file index out of range (the interpreter's MachineError). */
export function indexError(index: number, name: string, at: number): EngineError {
  return new EngineError(`index ${index} outside register file ${name}`, at);
}

/** What generated code reaches through its `rt` argument. */
export interface Runtime {
  readonly R: Uint32Array;
  readonly M: PhysicalMemory;
  readonly J: Journal;
  readonly output: bigint[];
  /** Set when a write hit translated code: the running block leaves after the current instruction. */
  stale: boolean;
  choose(branches: number, stmt: number): number;
  xlate(va: bigint, access: bigint): bigint;
}
