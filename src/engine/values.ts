/**
 * Compile-time values of the specializer and the code for the IR's operations on them. A value is
 * a constant (known while translating: operands, folded expressions), a JS number or boolean
 * expression (bit vectors of at most 32 bits, always unsigned and masked to their width), or wide:
 * 32-bit limbs, least significant first. Only the operations that have no cheap limb form (wide
 * multiply, divide, variable shifts) go through BigInt.
 */
import * as IR from "../ir/ir.js";
import { binop } from "../ir/pure.js";
import { isAtom, J, type JExpr, type JStmt } from "./js.js";
import { limbsOf, toLimbs, topMask } from "./layout.js";

export type Val =
  | { readonly k: "c"; readonly v: bigint }
  | { readonly k: "n"; readonly e: JExpr }
  | { readonly k: "w"; readonly l: readonly JExpr[] };

/** Where operations put the statements they need (temporaries for carries, BigInt round trips). */
export interface Emitter {
  temp(): string;
  emit(s: JStmt): void;
}

export const C = (v: bigint): Val => ({ k: "c", v });
export const N = (e: JExpr): Val => ({ k: "n", e });
export const W = (l: readonly JExpr[]): Val => ({ k: "w", l });
export const ZERO = C(0n);

const H = (name: string) => J.id(name);

export function widthOfType(t: IR.Type): number {
  return t.kind === "bits" ? t.width : 0;
}

export function isWide(t: IR.Type): boolean {
  return t.kind === "bits" && t.width > 32;
}

export function maskNum(w: number): number {
  return w >= 32 ? 0xffffffff : 2 ** w - 1;
}

/** A JS number expression for a narrow value. */
export function num(v: Val): JExpr {
  if (v.k === "c") return J.num(Number(v.v));
  if (v.k === "n") return v.e;
  return v.l[0]!;
}

/** A JS boolean expression. */
export function bool(v: Val): JExpr {
  if (v.k === "c") return J.bool(v.v !== 0n);
  return num(v);
}

/** The limbs of a value of width w. */
export function limbs(v: Val, w: number): JExpr[] {
  const n = limbsOf(w);
  if (v.k === "c") return toLimbs(v.v, n).map(J.num);
  if (v.k === "n") return [v.e, ...Array.from({ length: n - 1 }, () => J.num(0))];
  return [...v.l];
}

/** The value as a JS expression of its representation (number, boolean, or array of limbs). */
export function jsOf(v: Val, t: IR.Type): JExpr {
  if (t.kind === "bool") return bool(v);
  if (!isWide(t)) return num(v);
  return J.call(H("LIMBS"), ...limbs(v, t.width));
}

/** Whether evaluating the value later gives the same result (constants and variables only). */
export function stable(v: Val): boolean {
  if (v.k === "c") return true;
  if (v.k === "n") return isAtom(v.e);
  return v.l.every(isAtom);
}

/** Puts the value's non-atomic parts into temporaries. */
export function materialize(v: Val, em: Emitter): Val {
  if (v.k === "c") return v;
  const fix = (e: JExpr): JExpr => {
    if (isAtom(e)) return e;
    const t = em.temp();
    em.emit(J.assign(J.id(t), e));
    return J.id(t);
  };
  if (v.k === "n") return N(fix(v.e));
  return W(v.l.map(fix));
}

/** Masks the result of an arithmetic JS operation to w bits (w <= 32). */
export function wrap(e: JExpr, w: number): JExpr {
  return w === 32 ? J.bin(">>>", e, J.num(0)) : J.bin("&", e, J.num(maskNum(w)));
}

/** The signed (int32) reading of a w-bit number. */
function signed32(e: JExpr, w: number): JExpr {
  if (w === 32) return J.bin("|", e, J.num(0));
  return J.bin(">>", J.bin("<<", e, J.num(32 - w)), J.num(32 - w));
}

// ------------------------------------------------------------------ bit extraction

/**
 * Bits [lo, lo + n) of a value given as limbs (n <= 32); bits outside the value read as zero (lo may
 * be negative). Every limb must be an atom.
 */
export function extract(ls: readonly JExpr[], lo: number, n: number): JExpr {
  const parts: JExpr[] = [];
  const total = ls.length * 32;
  for (let j = 0; j < ls.length; j++) {
    const base = j * 32;
    const a = Math.max(lo, base);
    const b = Math.min(lo + n, base + 32, total);
    if (a >= b) continue;
    const limb = ls[j]!;
    if (limb.k === "num" && limb.v === 0) continue;
    // Bits a..b-1 of the value live in limb j at a-base; they go to a-lo of the result.
    const from = a - base;
    const to = a - lo;
    let e: JExpr = from === 0 ? limb : J.bin(">>>", limb, J.num(from));
    const width = b - a;
    if (from + width < 32) e = J.bin("&", e, J.num(maskNum(width)));
    if (to > 0) e = J.bin("<<", e, J.num(to));
    parts.push(e);
  }
  if (parts.length === 0) return J.num(0);
  let acc = parts.reduce((x, y) => J.bin("|", x, y));
  if (n === 32 || parts.some((p) => p.k === "bin" && p.op === "<<")) acc = J.bin(">>>", acc, J.num(0));
  return acc;
}

// ------------------------------------------------------------------ constant folding

function fold(op: IR.BinOp, l: bigint, r: bigint, w: number): bigint {
  return binop(op, l, r, w);
}

// ------------------------------------------------------------------ operations

/** slice(v)[hi:lo] of a value of width w. */
export function slice(v: Val, w: number, hi: number, lo: number, em: Emitter): Val {
  const n = hi - lo + 1;
  if (v.k === "c") return C(BigInt.asUintN(n, v.v >> BigInt(lo)));
  if (w <= 32) {
    let e = num(v);
    if (lo > 0) e = J.bin(">>>", e, J.num(lo));
    if (lo + n < w) e = J.bin("&", e, J.num(maskNum(n)));
    return N(e);
  }
  const src = materialize(v, em) as Val & { k: "w" };
  if (n <= 32) return N(extract(src.l, lo, n));
  const out: JExpr[] = [];
  for (let k = 0; k < limbsOf(n); k++) {
    const bits = Math.min(32, n - 32 * k);
    out.push(extract(src.l, lo + 32 * k, bits));
  }
  return W(out);
}

/** Concatenation, first part most significant. */
export function concat(parts: readonly { v: Val; w: number }[], em: Emitter): Val {
  const total = parts.reduce((a, p) => a + p.w, 0);
  if (parts.every((p) => p.v.k === "c")) {
    let v = 0n;
    for (const p of parts) v = (v << BigInt(p.w)) | (p.v as { v: bigint }).v;
    return C(v);
  }
  // Place every part at its offset, as limbs.
  const placed: { ls: JExpr[]; at: number; w: number }[] = [];
  let at = total;
  for (const p of parts) {
    at -= p.w;
    const m = materialize(p.v, em);
    placed.push({ ls: limbs(m, p.w), at, w: p.w });
  }
  const limbAt = (k: number): JExpr => {
    const terms: JExpr[] = [];
    const lo = 32 * k;
    const bits = Math.min(32, total - lo);
    for (const p of placed) {
      const a = Math.max(lo, p.at);
      const b = Math.min(lo + bits, p.at + p.w);
      if (a >= b) continue;
      let e = extract(p.ls, a - p.at, b - a);
      if (e.k === "num" && e.v === 0) continue;
      if (a - lo > 0) e = J.bin("<<", e, J.num(a - lo));
      terms.push(e);
    }
    if (terms.length === 0) return J.num(0);
    const acc = terms.reduce((x, y) => J.bin("|", x, y));
    return terms.length === 1 && !(acc.k === "bin" && acc.op === "<<") ? acc : J.bin(">>>", acc, J.num(0));
  };
  if (total <= 32) return N(limbAt(0));
  return W(Array.from({ length: limbsOf(total) }, (_, k) => limbAt(k)));
}

/** Zero extension from w to `to` bits. */
export function zext(v: Val, w: number, to: number): Val {
  if (v.k === "c" || to <= 32) return v;
  return W(limbs(v, w).concat(Array.from({ length: limbsOf(to) - limbsOf(w) }, () => J.num(0))).slice(0, limbsOf(to)));
}

/** Sign extension from w to `to` bits. */
export function sext(v: Val, w: number, to: number, em: Emitter): Val {
  if (v.k === "c") return C(BigInt.asUintN(to, BigInt.asIntN(w, v.v)));
  if (w === to) return v;
  if (to <= 32) return N(wrap(signed32(num(v), w), to));
  if (w <= 32) {
    const m = materialize(v, em);
    const low = w === 32 ? num(m) : J.bin(">>>", signed32(num(m), w), J.num(0));
    const fill = em.temp();
    em.emit(J.assign(J.id(fill), J.bin(">>>", J.un("-", J.bin(">>>", num(m), J.num(w - 1))), J.num(0))));
    const out: JExpr[] = [low];
    const n = limbsOf(to);
    for (let k = 1; k < n; k++) out.push(k === n - 1 && to % 32 !== 0 ? J.bin("&", J.id(fill), J.num(topMask(to))) : J.id(fill));
    return materialize(W(out), em);
  }
  return bigOp((x) => J.call(H("BIGSEXT"), x, J.num(w), J.num(to)), [v], [w], to, em);
}

/** A round trip through BigInt: f gets BigInt expressions of the operands. */
export function bigOp(f: (...xs: JExpr[]) => JExpr, vs: readonly Val[], ws: readonly number[], resultWidth: number, em: Emitter): Val {
  const xs = vs.map((v, i) => {
    const w = ws[i]!;
    if (v.k === "c") return J.big(v.v);
    if (w <= 32) return J.call(H("BigInt"), num(v));
    return J.call(H("TOBIG"), ...limbs(v, w));
  });
  const t = em.temp();
  em.emit(J.assign(J.id(t), f(...xs)));
  if (resultWidth <= 32) return N(J.call(H("Number"), J.id(t)));
  const out: JExpr[] = [];
  for (let k = 0; k < limbsOf(resultWidth); k++) {
    const lt = em.temp();
    em.emit(J.assign(J.id(lt), J.call(H("LIMB"), J.id(t), J.num(k))));
    out.push(J.id(lt));
  }
  return W(out);
}

/** Unary operations. */
export function unary(op: IR.UnOp, v: Val, w: number, em: Emitter): Val {
  if (op === "lnot") return v.k === "c" ? C(v.v ? 0n : 1n) : N(J.un("!", bool(v)));
  if (v.k === "c") return C(BigInt.asUintN(w, op === "not" ? ~v.v : -v.v));
  if (w <= 32) return N(wrap(J.un(op === "not" ? "~" : "-", num(v)), w));
  if (op === "not") {
    const ls = limbs(v, w);
    const m = topMask(w);
    return W(ls.map((l, k) => (k === ls.length - 1 && m !== 0xffffffff ? J.bin("&", J.un("~", l), J.num(m)) : J.bin(">>>", J.un("~", l), J.num(0)))));
  }
  return arith("sub", C(0n), v, w, em);
}

/** Wide add or subtract with carries, limb by limb. */
function arith(op: "add" | "sub", a: Val, b: Val, w: number, em: Emitter): Val {
  const la = limbs(materialize(a, em), w);
  const lb = limbs(materialize(b, em), w);
  const out: JExpr[] = [];
  let carry: string | null = null;
  for (let k = 0; k < la.length; k++) {
    const s = em.temp();
    let e = J.bin(op === "add" ? "+" : "-", la[k]!, lb[k]!);
    if (carry) e = J.bin(op === "add" ? "+" : "-", e, J.id(carry));
    em.emit(J.assign(J.id(s), e));
    const last = k === la.length - 1;
    const l = em.temp();
    em.emit(J.assign(J.id(l), last && topMask(w) !== 0xffffffff ? J.bin("&", J.id(s), J.num(topMask(w))) : J.bin(">>>", J.id(s), J.num(0))));
    out.push(J.id(l));
    if (!last) {
      const c = em.temp();
      em.emit(J.assign(J.id(c), op === "add" ? J.cond(J.bin(">", J.id(s), J.num(0xffffffff)), J.num(1), J.num(0)) : J.cond(J.bin("<", J.id(s), J.num(0)), J.num(1), J.num(0))));
      carry = c;
    }
  }
  return W(out);
}

/** Unsigned (or, with signed, two's complement) comparison of wide limbs: a < b (or <=). */
function wideLess(la: JExpr[], lb: JExpr[], w: number, orEqual: boolean, isSigned: boolean): JExpr {
  const n = la.length;
  const top = (e: JExpr) => (isSigned ? J.bin("^", e, J.num(2 ** ((w - 1) % 32))) : e);
  const fix = (e: JExpr, k: number) => (isSigned && k === n - 1 ? (w % 32 === 0 ? J.bin(">>>", top(e), J.num(0)) : top(e)) : e);
  let acc: JExpr = J.bin(orEqual ? "<=" : "<", la[0]!, lb[0]!);
  for (let k = 1; k < n; k++) {
    const a = fix(la[k]!, k);
    const b = fix(lb[k]!, k);
    acc = J.bin("||", J.bin("<", a, b), J.bin("&&", J.bin("===", a, b), acc));
  }
  return acc;
}

/** Binary operations other than the short-circuit ones (land, lor). */
export function binary(op: IR.BinOp, a: Val, b: Val, w: number, em: Emitter): Val {
  if (a.k === "c" && b.k === "c") return C(fold(op, a.v, b.v, w));
  if (op === "land" || op === "lor") throw new Error("internal: short-circuit operator in binary()");
  if (w === 0) return N(J.bin(op === "ne" ? "!==" : "===", bool(a), bool(b)));
  if (w <= 32) return identity(op, a, b, w) ?? N(narrow(op, a, b, w));
  return wide(op, a, b, w, em);
}

/**
 * x & 0, x | 0, x ^ 0, x + 0, x - 0, x & ones, shifts by 0, with one side constant (expressions
 * have no effects, so dropping one is safe); null when none applies.
 */
function identity(op: IR.BinOp, a: Val, b: Val, w: number): Val | null {
  const ones = (1n << BigInt(w)) - 1n;
  const cb = b.k === "c" ? b.v : null;
  const ca = a.k === "c" ? a.v : null;
  switch (op) {
    case "and":
      if (ca === 0n || cb === 0n) return C(0n);
      if (cb === ones) return a;
      if (ca === ones) return b;
      return null;
    case "or":
    case "xor":
      if (cb === 0n) return a;
      if (ca === 0n) return b;
      return null;
    case "add":
      if (cb === 0n) return a;
      if (ca === 0n) return b;
      return null;
    case "sub":
    case "shl":
    case "lshr":
    case "ashr":
      return cb === 0n ? a : null;
    default:
      return null;
  }
}

function narrow(op: IR.BinOp, a: Val, b: Val, w: number): JExpr {
  const l = num(a);
  const r = num(b);
  const call = (name: string) => J.call(J.member(H("OPS"), name), l, r, J.num(w));
  const rc = b.k === "c" ? Number(b.v) : null;
  switch (op) {
    case "add": return wrap(J.bin("+", l, r), w);
    case "sub": return wrap(J.bin("-", l, r), w);
    case "mul": return wrap(J.call(J.member(H("Math"), "imul"), l, r), w);
    case "udiv": return call("udiv");
    case "urem": return J.call(J.member(H("OPS"), "urem"), l, r);
    case "sdiv": return call("sdiv");
    case "srem": return call("srem");
    case "and": return w === 32 ? J.bin(">>>", J.bin("&", l, r), J.num(0)) : J.bin("&", l, r);
    case "or": return w === 32 ? J.bin(">>>", J.bin("|", l, r), J.num(0)) : J.bin("|", l, r);
    case "xor": return w === 32 ? J.bin(">>>", J.bin("^", l, r), J.num(0)) : J.bin("^", l, r);
    case "shl":
      if (rc !== null) return rc >= w ? J.num(0) : rc === 0 ? l : wrap(J.bin("<<", l, J.num(rc)), w);
      return call("shl");
    case "lshr":
      if (rc !== null) return rc >= w ? J.num(0) : rc === 0 ? l : J.bin(">>>", l, J.num(rc));
      return call("lshr");
    case "ashr":
      if (rc !== null) return wrap(J.bin(">>", signed32(l, w), J.num(Math.min(rc, 31))), w);
      return call("ashr");
    case "rol": return call("rol");
    case "ror": return call("ror");
    case "eq": return J.bin("===", l, r);
    case "ne": return J.bin("!==", l, r);
    case "ult": return J.bin("<", l, r);
    case "ule": return J.bin("<=", l, r);
    case "ugt": return J.bin(">", l, r);
    case "uge": return J.bin(">=", l, r);
    case "slt": return J.bin("<", signed32(l, w), signed32(r, w));
    case "sle": return J.bin("<=", signed32(l, w), signed32(r, w));
    case "sgt": return J.bin(">", signed32(l, w), signed32(r, w));
    case "sge": return J.bin(">=", signed32(l, w), signed32(r, w));
    case "land":
    case "lor":
      throw new Error("internal");
  }
}

function wide(op: IR.BinOp, a: Val, b: Val, w: number, em: Emitter): Val {
  switch (op) {
    case "add":
    case "sub":
      return arith(op, a, b, w, em);
    case "and":
    case "or":
    case "xor": {
      const la = limbs(a, w);
      const lb = limbs(b, w);
      const sym = op === "and" ? "&" : op === "or" ? "|" : "^";
      return W(la.map((x, k) => J.bin(">>>", J.bin(sym, x, lb[k]!), J.num(0))));
    }
    case "eq":
    case "ne": {
      const la = limbs(materialize(a, em), w);
      const lb = limbs(materialize(b, em), w);
      const all = la.map((x, k) => J.bin("===", x, lb[k]!)).reduce((x, y) => J.bin("&&", x, y));
      return N(op === "eq" ? all : J.un("!", all));
    }
    case "ult":
    case "ule":
    case "ugt":
    case "uge":
    case "slt":
    case "sle":
    case "sgt":
    case "sge": {
      const la = limbs(materialize(a, em), w);
      const lb = limbs(materialize(b, em), w);
      const isSigned = op[0] === "s";
      const rel = op.slice(1);
      if (rel === "lt") return N(wideLess(la, lb, w, false, isSigned));
      if (rel === "le") return N(wideLess(la, lb, w, true, isSigned));
      if (rel === "gt") return N(wideLess(lb, la, w, false, isSigned));
      return N(wideLess(lb, la, w, true, isSigned));
    }
    case "shl":
    case "lshr":
      if (b.k === "c") {
        const r = b.v >= BigInt(w) ? w : Number(b.v);
        if (r >= w) return zext(C(0n), w, w);
        const src = materialize(a, em) as Val;
        const ls = limbs(src, w);
        const n = limbsOf(w);
        const out: JExpr[] = [];
        for (let k = 0; k < n; k++) {
          const bits = Math.min(32, w - 32 * k);
          out.push(extract(ls, op === "shl" ? 32 * k - r : 32 * k + r, bits));
        }
        return W(out);
      }
      break;
    default:
      break;
  }
  return bigOp((x, y) => J.call(J.member(H("OPS"), "big"), J.str(op), x, y, J.num(w)), [a, b], [w, w], w, em);
}
