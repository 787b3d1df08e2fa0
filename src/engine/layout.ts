/**
 * Where each register lives in the engine's one Uint32Array: every value is split into 32-bit limbs
 * (least significant first), so a 32-bit register is one slot, RISC-V's 64-bit counters two, an x86
 * segment cache three. Reading a field of a wide register is then one typed-array load, not a BigInt.
 */
import type * as IR from "../ir/ir.js";

/** Number of 32-bit limbs of a w-bit value (a boolean or a value of 32 bits or fewer is one). */
export function limbsOf(width: number): number {
  return width <= 32 ? 1 : Math.ceil(width / 32);
}

/** The all-ones value of the top limb of a w-bit value. */
export function topMask(width: number): number {
  const r = width % 32;
  return r === 0 ? 0xffffffff : 2 ** r - 1;
}

export interface RegisterLayout {
  /** Offset of entry 0 of each element. */
  readonly offset: readonly number[];
  /** Limbs per entry of each element. */
  readonly limbs: readonly number[];
  readonly size: number;
}

export function layoutOf(isa: IR.Isa): RegisterLayout {
  const offset: number[] = [];
  const limbs: number[] = [];
  let at = 0;
  for (const e of isa.state) {
    offset.push(at);
    limbs.push(limbsOf(e.width));
    at += limbsOf(e.width) * (e.count ?? 1);
  }
  return { offset, limbs, size: at };
}

/** Splits an unsigned bigint into n 32-bit limbs. */
export function toLimbs(v: bigint, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Number((v >> BigInt(32 * i)) & 0xffffffffn));
  return out;
}

/** Joins 32-bit limbs (least significant first) into a bigint. */
export function fromLimbs(limbs: ArrayLike<number>, at = 0, n = limbs.length): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 32n) | BigInt(limbs[at + i]! >>> 0);
  return v;
}
