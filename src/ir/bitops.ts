/**
 * The bit-vector operations whose meaning is not a single JavaScript operator: division and
 * remainder (SMT-LIB's results for a zero divisor, so the solver and every executor agree), shifts
 * by amounts that may exceed the width, rotations, and writing a field. Values are unsigned bigints
 * of width w.
 *
 * This module imports nothing: `popek vmm generate` copies it next to every generated VMM.
 */

/**
 * The bigint of a small non-negative count (a width, a shift, an offset): BigInt(n) makes a new
 * heap object each time, and the interpreters ask for these per node they evaluate.
 */
const SMALL: readonly bigint[] = Array.from({ length: 1025 }, (_, i) => BigInt(i));

export function big(n: number): bigint {
  return SMALL[n] ?? BigInt(n);
}

export function udiv(l: bigint, r: bigint, w: number): bigint {
  return r === 0n ? BigInt.asUintN(w, -1n) : l / r;
}

export function urem(l: bigint, r: bigint): bigint {
  return r === 0n ? l : l % r;
}

export function sdiv(l: bigint, r: bigint, w: number): bigint {
  const a = BigInt.asIntN(w, l);
  if (r === 0n) return a < 0n ? 1n : BigInt.asUintN(w, -1n);
  return BigInt.asUintN(w, a / BigInt.asIntN(w, r));
}

export function srem(l: bigint, r: bigint, w: number): bigint {
  return r === 0n ? l : BigInt.asUintN(w, BigInt.asIntN(w, l) % BigInt.asIntN(w, r));
}

export function shl(l: bigint, r: bigint, w: number): bigint {
  return r >= big(w) ? 0n : BigInt.asUintN(w, l << r);
}

export function lshr(l: bigint, r: bigint, w: number): bigint {
  return r >= big(w) ? 0n : l >> r;
}

export function ashr(l: bigint, r: bigint, w: number): bigint {
  const a = BigInt.asIntN(w, l);
  return BigInt.asUintN(w, r >= big(w) ? (a < 0n ? -1n : 0n) : a >> r);
}

export function rol(l: bigint, r: bigint, w: number): bigint {
  const k = r % big(w);
  return k === 0n ? l : BigInt.asUintN(w, (l << k) | (l >> (big(w) - k)));
}

export function ror(l: bigint, r: bigint, w: number): bigint {
  const k = r % big(w);
  return k === 0n ? l : BigInt.asUintN(w, (l >> k) | (l << (big(w) - k)));
}

/** Sign-extends the w-bit value v to `to` bits. */
export function sext(v: bigint, w: number, to: number): bigint {
  return BigInt.asUintN(to, BigInt.asIntN(w, v));
}

/** The bits hi..lo set. */
export function fieldMask(hi: number, lo: number): bigint {
  return ((1n << big(hi - lo + 1)) - 1n) << big(lo);
}

/** value with bits hi..lo replaced by field (its low hi - lo + 1 bits). */
export function withBits(value: bigint, hi: number, lo: number, field: bigint): bigint {
  const mask = fieldMask(hi, lo);
  return (value & ~mask) | ((field << big(lo)) & mask);
}
