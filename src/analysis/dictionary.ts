/**
 * The constants an instruction's semantics compare against: a fuzzer's dictionary, for instruction
 * fields (by width) and for register fields (by the bits compared). A value drawn uniformly almost
 * never equals the one a comparison wants (RISC-V's CSR number: about 170 of 4,096 exist, so 48
 * random CSRRW words found no control write in M mode, and the solver had to); drawn from the
 * dictionary half the time, it often does.
 */
import type * as IR from "../ir/ir.js";
import { walkReachable } from "../ir/walk.js";

const COMPARISONS: ReadonlySet<IR.BinOp> = new Set(["eq", "ne", "ult", "ule", "ugt", "uge", "slt", "sle", "sgt", "sge"]);

/** Width → the distinct constants compared with an expression of that width, in the body and every function it calls. */
export function comparedConstants(isa: IR.Isa, body: readonly IR.Stmt[]): Map<number, bigint[]> {
  const found = new Map<number, Set<bigint>>();
  // Zero and all-ones are left out: Rng.interesting draws them often anyway, and a register field
  // compared with zero (RISC-V's "rs1 == x0") would otherwise be zero half the time.
  const note = (e: IR.Expr): void => {
    if (e.kind !== "const" || e.value === 0n || e.value === (1n << BigInt(e.width)) - 1n) return;
    let set = found.get(e.width);
    if (!set) found.set(e.width, (set = new Set()));
    set.add(e.value);
  };
  walkReachable(isa, body, (n) => {
    if (n.kind === "binary" && COMPARISONS.has(n.op)) {
      note(n.left);
      note(n.right);
    }
  });
  return new Map([...found].map(([w, set]) => [w, [...set].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))]));
}

/** Bits [lo, lo + width) of a register, and the constants the semantics compare them with. */
export interface RegisterField {
  readonly lo: number;
  readonly width: number;
  readonly values: readonly bigint[];
}

/** Where an expression's low bits come from: bits starting at `lo` of a register (every entry of a file). */
interface Origin {
  readonly element: number;
  readonly lo: number;
}

/**
 * Register element → the bit fields the semantics compare with constants, found by following each
 * register read through slices, extensions, conditionals, locals and function parameters to the
 * comparisons it reaches (ARM's bad_mode(SPSR[4:0]) compares an SPSR's mode bits with the seven mode
 * numbers: a random SPSR names a mode about one time in five, and an exception return from one that
 * does not is UNDEFINED). Flow-insensitive and context-insensitive: a field may get constants it is
 * not compared with on every path, which only makes a draw less random.
 */
export function comparedRegisterFields(isa: IR.Isa, body: readonly IR.Stmt[]): Map<number, RegisterField[]> {
  const found = new Map<string, { element: number; lo: number; width: number; values: Set<bigint> }>();
  const params = new Map<number, Map<number, Origin[]>>();
  const pending: { fn: number | null; body: readonly IR.Stmt[]; env: Map<number, Origin[]> }[] = [{ fn: null, body, env: new Map() }];
  const note = (origins: readonly Origin[], c: IR.Expr): void => {
    if (c.kind !== "const") return;
    for (const o of origins) {
      const key = `${o.element}:${o.lo}:${c.width}`;
      let f = found.get(key);
      if (!f) found.set(key, (f = { element: o.element, lo: o.lo, width: c.width, values: new Set() }));
      f.values.add(c.value);
    }
  };
  const union = (a: readonly Origin[], b: readonly Origin[]): Origin[] => {
    const out = [...a];
    for (const o of b) if (!out.some((x) => x.element === o.element && x.lo === o.lo)) out.push(o);
    return out;
  };
  const analyse = (fnBody: readonly IR.Stmt[], env: Map<number, Origin[]>): void => {
    const origins = (e: IR.Expr): Origin[] => {
      switch (e.kind) {
        case "reg":
        case "regFile":
          return [{ element: e.element, lo: 0 }];
        case "slice":
          return origins(e.value).map((o) => ({ element: o.element, lo: o.lo + e.lo }));
        case "zext":
        case "sext":
          return origins(e.value);
        case "ite":
          return union(origins(e.then), origins(e.else));
        case "local":
          return env.get(e.slot) ?? [];
        default:
          return [];
      }
    };
    const expr = (e: IR.Expr): void => {
      if (e.kind === "binary" && COMPARISONS.has(e.op)) {
        note(origins(e.left), e.right);
        note(origins(e.right), e.left);
      }
      if (e.kind === "call") {
        const fn = isa.functions[e.fn]!;
        const known = params.get(e.fn) ?? new Map<number, Origin[]>();
        let grew = !params.has(e.fn);
        fn.params.forEach((p, i) => {
          const before = known.get(p.slot) ?? [];
          const after = union(before, origins(e.args[i]!));
          if (after.length > before.length) grew = true;
          known.set(p.slot, after);
        });
        params.set(e.fn, known);
        if (grew) pending.push({ fn: e.fn, body: fn.body, env: new Map(known) });
      }
      for (const v of Object.values(e)) {
        if (v && typeof v === "object" && "kind" in v) expr(v as IR.Expr);
        if (Array.isArray(v)) for (const x of v) if (x && typeof x === "object" && "kind" in x) expr(x as IR.Expr);
      }
    };
    const stmts = (ss: readonly IR.Stmt[]): void => {
      for (const s of ss) {
        if (s.kind === "let" || s.kind === "setLocal") env.set(s.slot, union(env.get(s.slot) ?? [], origins(s.value)));
        if (s.kind === "if") {
          expr(s.cond);
          stmts(s.then);
          stmts(s.else);
          continue;
        }
        if (s.kind === "either") {
          s.branches.forEach(stmts);
          continue;
        }
        for (const v of Object.values(s)) if (v && typeof v === "object" && "kind" in v) expr(v as IR.Expr);
      }
    };
    stmts(fnBody);
  };
  // Each function again whenever a call gives its parameters origins they did not have (bounded:
  // origins only grow, and there are finitely many).
  for (let n = 0; n < pending.length && n < 10_000; n++) analyse(pending[n]!.body, pending[n]!.env);
  const out = new Map<number, RegisterField[]>();
  for (const f of found.values()) {
    const values = [...f.values].filter((v) => v < 1n << BigInt(f.width));
    if (values.length === 0 || f.lo + f.width > isa.state[f.element]!.width) continue;
    const list = out.get(f.element) ?? [];
    list.push({ lo: f.lo, width: f.width, values });
    out.set(f.element, list);
  }
  return out;
}
