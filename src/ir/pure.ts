/**
 * The meaning of the IR's pure operations on concrete values: one definition that the checker
 * (encoding conditions), the interpreter and the compiled engine agree on. Values are unsigned
 * bigints of the expression's width; booleans are 1n/0n; division by zero follows SMT-LIB, so the
 * solver and the interpreter never disagree.
 */
import { ashr, big, lshr, rol, ror, sdiv, shl, srem, udiv, urem } from "./bitops.js";
import * as IR from "./ir.js";

/** Reads one field's value out of an instruction word. */
export function extractField(f: IR.EncodedField, word: bigint): bigint {
  let v = 0n;
  for (const p of f.pieces) {
    const w = big(p.encHi - p.encLo + 1);
    const chunk = (word >> big(p.encLo)) & ((1n << w) - 1n);
    v |= chunk << big(p.fieldLo);
  }
  return v;
}

/**
 * Evaluates a state-free expression (an encoding condition or binding) over operand values.
 * Booleans come back as 1n/0n.
 */
export function evalPure(e: IR.Expr, operands: ReadonlyMap<string, bigint>): bigint {
  const ev = (x: IR.Expr) => evalPure(x, operands);
  const m = (v: bigint, w: number) => BigInt.asUintN(w, v);
  const signed = (v: bigint, w: number) => BigInt.asIntN(w, v);
  switch (e.kind) {
    case "const": return e.value;
    case "boolConst": return e.value ? 1n : 0n;
    case "operand": return operands.get(e.name) ?? 0n;
    case "slice": return m(ev(e.value) >> big(e.lo), e.width);
    case "concat": {
      let v = 0n;
      for (const p of e.parts) v = (v << big(IR.widthOf(p))) | ev(p);
      return v;
    }
    case "zext": return ev(e.value);
    case "sext": return m(signed(ev(e.value), IR.widthOf(e.value)), e.width);
    case "unary": {
      const v = ev(e.value);
      const w = IR.widthOf(e.value);
      return e.op === "lnot" ? (v ? 0n : 1n) : e.op === "not" ? m(~v, w) : m(-v, w);
    }
    case "ite": return ev(e.cond) ? ev(e.then) : ev(e.else);
    case "binary": {
      const l = ev(e.left);
      const r = ev(e.right);
      const w = IR.widthOf(e.left);
      return binop(e.op, l, r, w);
    }
    default:
      throw new Error(`internal: ${e.kind} in a state-free expression`);
  }
}

/** One binary operation on unsigned w-bit values, with SMT-LIB's meaning for division by zero. */
export function binop(op: IR.BinOp, l: bigint, r: bigint, w: number): bigint {
  switch (op) {
    case "add": return BigInt.asUintN(w, l + r);
    case "sub": return BigInt.asUintN(w, l - r);
    case "mul": return BigInt.asUintN(w, l * r);
    case "udiv": return udiv(l, r, w);
    case "urem": return urem(l, r);
    case "sdiv": return sdiv(l, r, w);
    case "srem": return srem(l, r, w);
    case "and": return l & r;
    case "or": return l | r;
    case "xor": return l ^ r;
    case "shl": return shl(l, r, w);
    case "lshr": return lshr(l, r, w);
    case "ashr": return ashr(l, r, w);
    case "rol": return rol(l, r, w);
    case "ror": return ror(l, r, w);
    case "eq": return l === r ? 1n : 0n;
    case "ne": return l !== r ? 1n : 0n;
    case "ult": return l < r ? 1n : 0n;
    case "ule": return l <= r ? 1n : 0n;
    case "ugt": return l > r ? 1n : 0n;
    case "uge": return l >= r ? 1n : 0n;
    case "slt": return BigInt.asIntN(w, l) < BigInt.asIntN(w, r) ? 1n : 0n;
    case "sle": return BigInt.asIntN(w, l) <= BigInt.asIntN(w, r) ? 1n : 0n;
    case "sgt": return BigInt.asIntN(w, l) > BigInt.asIntN(w, r) ? 1n : 0n;
    case "sge": return BigInt.asIntN(w, l) >= BigInt.asIntN(w, r) ? 1n : 0n;
    case "land": return l !== 0n && r !== 0n ? 1n : 0n;
    case "lor": return l !== 0n || r !== 0n ? 1n : 0n;
  }
}
