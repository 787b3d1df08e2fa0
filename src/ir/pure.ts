/**
 * The meaning of the IR's pure operations on concrete values: one definition that the checker
 * (encoding conditions), the interpreter and the compiled engine agree on. Values are unsigned
 * bigints of the expression's width; booleans are 1n/0n; division by zero follows SMT-LIB, so the
 * solver and the interpreter never disagree.
 */
import * as IR from "./ir.js";

/** Reads one field's value out of an instruction word. */
export function extractField(f: IR.EncodedField, word: bigint): bigint {
  let v = 0n;
  for (const p of f.pieces) {
    const w = BigInt(p.encHi - p.encLo + 1);
    const chunk = (word >> BigInt(p.encLo)) & ((1n << w) - 1n);
    v |= chunk << BigInt(p.fieldLo);
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
    case "slice": return m(ev(e.value) >> BigInt(e.lo), e.width);
    case "concat": {
      let v = 0n;
      for (const p of e.parts) v = (v << BigInt(IR.widthOf(p))) | ev(p);
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
  const m = (v: bigint) => BigInt.asUintN(w, v);
  const s = (v: bigint) => BigInt.asIntN(w, v);
  const b = (x: boolean) => (x ? 1n : 0n);
  const W = BigInt(w);
  switch (op) {
    case "add": return m(l + r);
    case "sub": return m(l - r);
    case "mul": return m(l * r);
    case "udiv": return r === 0n ? m(-1n) : l / r;
    case "urem": return r === 0n ? l : l % r;
    case "sdiv": {
      if (r === 0n) return s(l) < 0n ? 1n : m(-1n);
      return m(s(l) / s(r));
    }
    case "srem": return r === 0n ? l : m(s(l) % s(r));
    case "and": return l & r;
    case "or": return l | r;
    case "xor": return l ^ r;
    case "shl": return r >= W ? 0n : m(l << r);
    case "lshr": return r >= W ? 0n : l >> r;
    case "ashr": return r >= W ? m(s(l) < 0n ? -1n : 0n) : m(s(l) >> r);
    case "rol": { const k = r % W; return k === 0n ? l : m((l << k) | (l >> (W - k))); }
    case "ror": { const k = r % W; return k === 0n ? l : m((l >> k) | (l << (W - k))); }
    case "eq": return b(l === r);
    case "ne": return b(l !== r);
    case "ult": return b(l < r);
    case "ule": return b(l <= r);
    case "ugt": return b(l > r);
    case "uge": return b(l >= r);
    case "slt": return b(s(l) < s(r));
    case "sle": return b(s(l) <= s(r));
    case "sgt": return b(s(l) > s(r));
    case "sge": return b(s(l) >= s(r));
    case "land": return b(l !== 0n && r !== 0n);
    case "lor": return b(l !== 0n || r !== 0n);
  }
}
