/**
 * Whether an instruction's run may depend on the privilege mode: a taint analysis of the bits the
 * mode is read from. Each value carries a mask of its bits that may hold (or depend on) a mode bit;
 * slices, extensions, concatenations and bitwise operations move the mask bit by bit, and any other
 * operation on a tainted value taints the whole result. The run depends on the mode as soon as a
 * tainted value decides a branch, is written (to a register or memory), addresses memory, is a trap's
 * argument or an output, or is translate's result. Through locals, function parameters and results
 * (each function once, context-insensitive, to a fixed point), translate included: the fetch
 * translates too. A banked register's read is an `ite` over its selector, which reads the mode.
 *
 * A run that does not depend on the mode is the same run at every mode: the classifier builds no
 * mode pair for it. x86's translate hands CS whole to functions that read its limit and base, never
 * its CPL: the segment-relative arithmetic and loads do not depend on the mode.
 */
import { fieldMask } from "../ir/bitops.js";
import * as IR from "../ir/ir.js";
import type { StateSets } from "./state-sets.js";

const ones = (w: number): bigint => (1n << BigInt(Math.max(w, 1))) - 1n;

export function readsModeBits(isa: IR.Isa, sets: StateSets, instr: IR.Instruction): boolean {
  const modeMask = new Map([...sets.mode].map(([id, { hi, lo }]) => [id, fieldMask(hi, lo)] as const));
  const params = new Map<number, Map<number, bigint>>();
  const results = new Map<number, bigint>();
  const locals = new Map<number | null, Map<number, bigint>>();
  const reached = new Set<number>();
  let changed = true;
  let depends = false;

  const grow = (m: Map<number, bigint>, k: number, v: bigint): void => {
    const was = m.get(k) ?? 0n;
    if ((was | v) !== was) {
      m.set(k, was | v);
      changed = true;
    }
  };

  const analyse = (fn: number | null, body: readonly IR.Stmt[]): void => {
    let env = locals.get(fn);
    if (!env) locals.set(fn, (env = new Map()));
    // A function's parameters are locals whose masks the calls give.
    if (fn !== null) for (const [slot, m] of params.get(fn) ?? []) grow(env, slot, m);
    const sink = (m: bigint): void => {
      if (m !== 0n) depends = true;
    };
    const mask = (e: IR.Expr): bigint => {
      const w = IR.widthOf(e);
      switch (e.kind) {
        case "const":
        case "boolConst":
        case "operand":
        case "nextPc":
          return 0n;
        case "reg":
          return modeMask.get(e.element) ?? 0n;
        case "regFile":
          return mask(e.index) !== 0n ? ones(w) : (modeMask.get(e.element) ?? 0n);
        case "local":
          return env.get(e.slot) ?? 0n;
        case "slice":
          return (mask(e.value) >> BigInt(e.lo)) & ones(e.hi - e.lo + 1);
        case "concat":
          return e.parts.reduce((acc, p) => (acc << BigInt(IR.widthOf(p))) | mask(p), 0n);
        case "zext":
          return mask(e.value);
        case "sext": {
          const m = mask(e.value);
          const wv = IR.widthOf(e.value);
          return (m >> BigInt(wv - 1)) & 1n ? m | (ones(w) ^ ones(wv)) : m;
        }
        case "unary": {
          const m = mask(e.value);
          return e.op === "not" ? m : m !== 0n ? ones(w) : 0n;
        }
        case "binary": {
          const l = mask(e.left);
          const r = mask(e.right);
          if (e.op === "and" || e.op === "or" || e.op === "xor") return l | r;
          return l !== 0n || r !== 0n ? ones(w) : 0n;
        }
        case "ite": {
          const c = mask(e.cond);
          const t = mask(e.then);
          const f = mask(e.else);
          return c !== 0n ? ones(w) : t | f;
        }
        case "load":
          sink(mask(e.addr));
          return 0n;
        case "call": {
          const f = isa.functions[e.fn]!;
          const p = params.get(e.fn) ?? new Map<number, bigint>();
          params.set(e.fn, p);
          f.params.forEach((param, i) => grow(p, param.slot, mask(e.args[i]!)));
          if (!reached.has(e.fn)) {
            reached.add(e.fn);
            changed = true;
          }
          return results.get(e.fn) ?? 0n;
        }
      }
    };
    const stmts = (ss: readonly IR.Stmt[]): void => {
      for (const s of ss) {
        switch (s.kind) {
          case "let":
          case "setLocal":
            grow(env, s.slot, mask(s.value));
            break;
          case "setReg":
            sink(mask(s.value));
            break;
          case "setRegFile":
            sink(mask(s.index) | mask(s.value));
            break;
          case "store":
            sink(mask(s.addr) | mask(s.value));
            break;
          case "if":
            sink(mask(s.cond));
            stmts(s.then);
            stmts(s.else);
            break;
          case "trap":
            if (s.arg) sink(mask(s.arg));
            break;
          case "either":
            s.branches.forEach(stmts);
            break;
          case "output":
            sink(mask(s.value));
            break;
          case "return":
            if (s.value && fn !== null) {
              const m = mask(s.value);
              if (fn === isa.translate) sink(m);
              const was = results.get(fn) ?? 0n;
              if ((was | m) !== was) {
                results.set(fn, was | m);
                changed = true;
              }
            }
            break;
          case "call":
            mask(s.call);
            break;
          case "halt":
            break;
        }
      }
    };
    stmts(body);
  };

  if (isa.translate !== null) reached.add(isa.translate);
  // To a fixed point: masks only grow, and each is bounded by its width.
  for (let round = 0; changed && !depends && round < 1000; round++) {
    changed = false;
    analyse(null, instr.body);
    for (const fn of [...reached]) analyse(fn, isa.functions[fn]!.body);
  }
  return depends || changed;
}
