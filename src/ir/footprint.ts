/**
 * What a piece of semantics reads and writes, found by walking the IR (calls followed, both arms of
 * every branch taken): the state elements it reads and writes and whether it touches memory. The
 * analyzer uses it to know when a translation's inputs are still those of the initial state, and
 * the VMM generator to know which state a routine depends on.
 */
import type * as IR from "./ir.js";

export interface Footprint {
  readonly reads: ReadonlySet<number>;
  readonly writes: ReadonlySet<number>;
  readonly readsMemory: boolean;
  readonly writesMemory: boolean;
  /** Whether it makes a nondeterministic choice (`either`), an output, or may halt. */
  readonly chooses: boolean;
  readonly outputs: boolean;
  readonly halts: boolean;
}

/** The footprint of a function (transitively through the functions it calls). */
export function functionFootprint(isa: IR.Isa, fn: number): Footprint {
  return bodyFootprint(isa, isa.functions[fn]!.body);
}

/**
 * The footprint of a statement list (transitively through the functions it calls; through the
 * spec's translate for virtual accesses unless followTranslate is false).
 */
export function bodyFootprint(isa: IR.Isa, body: readonly IR.Stmt[], options: { followTranslate?: boolean } = {}): Footprint {
  return footprintOf(isa, body, [], options);
}

/** The footprint of expressions (a configuration's requirement, the privilege mode, a bank selector). */
export function exprFootprint(isa: IR.Isa, exprs: readonly IR.Expr[]): Footprint {
  return footprintOf(isa, [], exprs, {});
}

function footprintOf(isa: IR.Isa, body: readonly IR.Stmt[], exprs: readonly IR.Expr[], options: { followTranslate?: boolean }): Footprint {
  const followTranslate = options.followTranslate ?? true;
  const reads = new Set<number>();
  const writes = new Set<number>();
  const seen = new Set<number>();
  let readsMemory = false;
  let writesMemory = false;
  let chooses = false;
  let outputs = false;
  let halts = false;

  const expr = (e: IR.Expr): void => {
    switch (e.kind) {
      case "reg":
        reads.add(e.element);
        return;
      case "regFile":
        reads.add(e.element);
        expr(e.index);
        return;
      case "slice":
      case "zext":
      case "sext":
      case "unary":
        expr(e.value);
        return;
      case "concat":
        e.parts.forEach(expr);
        return;
      case "binary":
        expr(e.left);
        expr(e.right);
        return;
      case "ite":
        expr(e.cond);
        expr(e.then);
        expr(e.else);
        return;
      case "load":
        readsMemory = true;
        if (e.virtual && isa.translate !== null && followTranslate) callee(isa.translate);
        expr(e.addr);
        return;
      case "call":
        e.args.forEach(expr);
        callee(e.fn);
        return;
      default:
        return;
    }
  };
  const callee = (fn: number): void => {
    if (seen.has(fn)) return;
    seen.add(fn);
    stmts(isa.functions[fn]!.body);
  };
  const stmts = (ss: readonly IR.Stmt[]): void => {
    for (const s of ss) {
      switch (s.kind) {
        case "let":
        case "setLocal":
          expr(s.value);
          break;
        case "setReg":
          writes.add(s.element);
          expr(s.value);
          break;
        case "setRegFile":
          writes.add(s.element);
          expr(s.index);
          expr(s.value);
          break;
        case "store":
          writesMemory = true;
          if (s.virtual && isa.translate !== null && followTranslate) callee(isa.translate);
          expr(s.addr);
          expr(s.value);
          break;
        case "if":
          expr(s.cond);
          stmts(s.then);
          stmts(s.else);
          break;
        case "either":
          chooses = true;
          s.branches.forEach(stmts);
          break;
        case "trap":
          if (s.arg) expr(s.arg);
          break;
        case "output":
          outputs = true;
          expr(s.value);
          break;
        case "return":
          if (s.value) expr(s.value);
          break;
        case "call":
          expr(s.call);
          break;
        case "halt":
          halts = true;
          break;
      }
    }
  };
  stmts(body);
  exprs.forEach(expr);
  return { reads, writes, readsMemory, writesMemory, chooses, outputs, halts };
}
