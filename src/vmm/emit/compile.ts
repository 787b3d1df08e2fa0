/**
 * Compiles IR semantics to TypeScript syntax objects with the same meaning as the reference
 * interpreter: bit vectors are unsigned bigints masked to their width, booleans are booleans,
 * traps and halt are thrown (Trap, Halt from contract.ts), and a write of the program counter sets
 * ctx.pcWritten. Generated functions take (s: State, ctx: Ctx, ...params).
 */
import * as IR from "../../ir/ir.js";
import { E, ident, safeName, type Expr, type FunctionDecl, type Stmt } from "./ts.js";

const S = ident("s");
const CTX = ident("ctx");
const OP = ident("op");

/** The generated identifier of a spec function. */
export function functionName(isa: IR.Isa, fn: number): string {
  if (fn === isa.translate) return "translate";
  if (fn === isa.trapEntry.fn) return "trapEntry";
  if (fn === isa.tick) return "tick";
  return `fn_${safeName(isa.functions[fn]!.name)}`;
}

function tsType(t: IR.Type): string {
  return t.kind === "bool" ? "boolean" : "bigint";
}

const mask = (w: number, e: Expr): Expr => E.call(E.raw("BigInt.asUintN"), E.num(w), e);
const signed = (w: number, e: Expr): Expr => E.call(E.raw("BigInt.asIntN"), E.num(w), e);

export class Compiler {
  constructor(private readonly isa: IR.Isa) {}

  private local(slot: number, name: string): string {
    return `v${slot}_${safeName(name)}`.slice(0, 60);
  }

  private regRef(element: number): Expr {
    return E.member(ident("reg"), safeName(this.isa.state[element]!.name));
  }

  // ------------------------------------------------------------ expressions

  expr(e: IR.Expr): Expr {
    switch (e.kind) {
      case "const":
        return E.big(e.value);
      case "boolConst":
        return E.bool(e.value);
      case "reg":
        return E.call(E.member(S, "reg"), this.regRef(e.element), E.num(0));
      case "regFile":
        return E.call(E.member(S, "reg"), this.regRef(e.element), E.call(E.raw("Number"), this.expr(e.index)));
      case "local":
        return ident(this.local(e.slot, e.name));
      case "operand":
        return E.raw(`op.get(${JSON.stringify(e.name)})!`);
      case "nextPc":
        return E.member(CTX, "nextPc");
      case "slice": {
        const v = this.expr(e.value);
        const shifted = e.lo === 0 ? v : E.bin(">>", v, E.big(BigInt(e.lo)));
        return E.bin("&", shifted, E.big((1n << BigInt(e.width)) - 1n));
      }
      case "concat": {
        let acc: Expr | null = null;
        for (const p of e.parts) {
          const v = this.expr(p);
          acc = acc === null ? v : E.bin("|", E.bin("<<", acc, E.big(BigInt(IR.widthOf(p)))), v);
        }
        return acc!;
      }
      case "zext":
        return this.expr(e.value);
      case "sext":
        return E.call(ident("sext"), this.expr(e.value), E.num(IR.widthOf(e.value)), E.num(e.width));
      case "unary": {
        const v = this.expr(e.value);
        if (e.op === "lnot") return E.un("!", v);
        const w = IR.widthOf(e.value);
        return mask(w, E.un(e.op === "not" ? "~" : "-", v));
      }
      case "binary":
        return this.binary(e);
      case "ite":
        return E.cond(this.expr(e.cond), this.expr(e.then), this.expr(e.else));
      case "load":
        return e.virtual
          ? E.call(ident("load"), S, CTX, this.expr(e.addr), E.num(e.units))
          : E.call(ident("loadPhys"), S, this.expr(e.addr), E.num(e.units));
      case "call":
        return E.call(ident(functionName(this.isa, e.fn)), S, CTX, ...e.args.map((a) => this.expr(a)));
    }
  }

  private binary(e: IR.Expr & { kind: "binary" }): Expr {
    const l = this.expr(e.left);
    const r = this.expr(e.right);
    const w = IR.widthOf(e.left);
    const helper = (name: string, withWidth = true) => E.call(ident(name), l, r, ...(withWidth ? [E.num(w)] : []));
    switch (e.op) {
      case "add": return mask(w, E.bin("+", l, r));
      case "sub": return mask(w, E.bin("-", l, r));
      case "mul": return mask(w, E.bin("*", l, r));
      case "udiv": return helper("udiv");
      case "urem": return helper("urem", false);
      case "sdiv": return helper("sdiv");
      case "srem": return helper("srem");
      case "and": return E.bin("&", l, r);
      case "or": return E.bin("|", l, r);
      case "xor": return E.bin("^", l, r);
      case "shl": return helper("shl");
      case "lshr": return helper("lshr");
      case "ashr": return helper("ashr");
      case "rol": return helper("rol");
      case "ror": return helper("ror");
      case "eq": return E.bin("===", l, r);
      case "ne": return E.bin("!==", l, r);
      case "ult": return E.bin("<", l, r);
      case "ule": return E.bin("<=", l, r);
      case "ugt": return E.bin(">", l, r);
      case "uge": return E.bin(">=", l, r);
      case "slt": return E.bin("<", signed(w, l), signed(w, r));
      case "sle": return E.bin("<=", signed(w, l), signed(w, r));
      case "sgt": return E.bin(">", signed(w, l), signed(w, r));
      case "sge": return E.bin(">=", signed(w, l), signed(w, r));
      case "land": return E.bin("&&", l, r);
      case "lor": return E.bin("||", l, r);
    }
  }

  // ------------------------------------------------------------ statements

  stmts(list: readonly IR.Stmt[]): Stmt[] {
    return list.flatMap((s) => this.stmt(s));
  }

  private stmt(s: IR.Stmt): Stmt[] {
    switch (s.kind) {
      case "let":
      case "setLocal":
        return [{ kind: "assign", target: ident(this.localName(s)), value: this.expr(s.value) }];
      case "setReg": {
        const set: Stmt = { kind: "expr", expr: E.call(E.member(S, "setReg"), this.regRef(s.element), E.num(0), this.expr(s.value)) };
        return s.element === this.isa.pc ? [set, { kind: "assign", target: E.member(CTX, "pcWritten"), value: E.bool(true) }] : [set];
      }
      case "setRegFile":
        return [{ kind: "expr", expr: E.call(E.member(S, "setReg"), this.regRef(s.element), E.call(E.raw("Number"), this.expr(s.index)), this.expr(s.value)) }];
      case "store":
        return [{
          kind: "expr",
          expr: s.virtual
            ? E.call(ident("store"), S, CTX, this.expr(s.addr), E.num(s.units), this.expr(s.value))
            : E.call(ident("storePhys"), S, this.expr(s.addr), E.num(s.units), this.expr(s.value)),
        }];
      case "if":
        return [{ kind: "if", cond: this.expr(s.cond), then: this.stmts(s.then), else: this.stmts(s.else) }];
      case "trap": {
        const cause = this.isa.causes[s.cause]!;
        return [{ kind: "throw", value: E.new(ident("Trap"), E.member(ident("cause"), safeName(cause.name)), s.arg ? this.expr(s.arg) : E.big(0n)) }];
      }
      case "halt":
        return [{ kind: "throw", value: E.new(ident("Halt")) }];
      case "either":
        // The machine's default choice for UNPREDICTABLE behaviour is the first branch; so is the VMM's.
        return [{ kind: "comment", text: `UNPREDICTABLE: ${s.branches.length} allowed behaviours; like the machine, take the first` }, ...this.stmts(s.branches[0] ?? [])];
      case "output":
        return [{ kind: "expr", expr: E.call(E.member(S, "emit"), this.expr(s.value)) }];
      case "return":
        return [{ kind: "return", value: s.value ? this.expr(s.value) : null }];
      case "call":
        return [{ kind: "expr", expr: this.expr(s.call) }];
    }
  }

  private localName(s: IR.Stmt & { kind: "let" | "setLocal" }): string {
    return this.local(s.slot, s.kind === "let" ? s.name : this.slotNames.get(s.slot) ?? "v");
  }

  private slotNames = new Map<number, string>();

  /** Declarations for every local slot a body uses, with their types, at the top of the function. */
  private declarations(body: readonly IR.Stmt[], params: ReadonlySet<number>): Stmt[] {
    const types = new Map<number, { name: string; type: IR.Type }>();
    const visitExpr = (e: IR.Expr): void => {
      if (e.kind === "local" && !types.has(e.slot)) types.set(e.slot, { name: e.name, type: e.type });
      for (const v of Object.values(e)) {
        if (v && typeof v === "object" && "kind" in v) visitExpr(v as IR.Expr);
        if (Array.isArray(v)) for (const x of v) if (x && typeof x === "object" && "kind" in x) visitExpr(x as IR.Expr);
      }
    };
    const visit = (list: readonly IR.Stmt[]): void => {
      for (const s of list) {
        if (s.kind === "let") types.set(s.slot, { name: s.name, type: IR.typeOf(s.value) });
        if (s.kind === "if") {
          visitExpr(s.cond);
          visit(s.then);
          visit(s.else);
          continue;
        }
        if (s.kind === "either") {
          visit(s.branches[0] ?? []);
          continue;
        }
        for (const v of Object.values(s)) if (v && typeof v === "object" && "kind" in v) visitExpr(v as IR.Expr);
      }
    };
    visit(body);
    this.slotNames = new Map([...types].map(([slot, t]) => [slot, t.name]));
    return [...types]
      .filter(([slot]) => !params.has(slot))
      .sort((a, b) => a[0] - b[0])
      .map(([slot, t]) => ({ kind: "let" as const, name: this.local(slot, t.name), type: tsType(t.type), value: t.type.kind === "bool" ? E.bool(false) : E.big(0n), mutable: true }));
  }

  /** A spec function (helper, translate, trap entry, tick) as a generated function. */
  compileFunction(fn: number, doc: string | null, exported = false): FunctionDecl {
    const f = this.isa.functions[fn]!;
    const params = new Set(f.params.map((p) => p.slot));
    const decls = this.declarations(f.body, params);
    const paramNames = f.params.map((p) => ({ name: this.local(p.slot, p.name), type: tsType(p.type) }));
    const body = this.stmts(f.body);
    return {
      doc,
      exported,
      name: functionName(this.isa, fn),
      params: [{ name: "s", type: "State" }, { name: "ctx", type: "Ctx" }, ...paramNames],
      returns: f.result ? tsType(f.result) : "void",
      body: [...decls, ...body],
    };
  }

  /** An instruction's semantics as an interpreter routine (s, ctx, op). */
  compileInstruction(instr: IR.Instruction, name: string, doc: string): FunctionDecl {
    const decls = this.declarations(instr.body, new Set());
    const body = this.stmts(instr.body);
    void OP;
    return {
      doc,
      exported: true,
      name,
      params: [{ name: "s", type: "State" }, { name: "ctx", type: "Ctx" }, { name: "op", type: "Operands" }],
      returns: "void",
      body: [...decls, ...body],
    };
  }
}
