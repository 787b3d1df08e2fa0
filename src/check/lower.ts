/**
 * Type-checks a body (instruction semantics, a function, the trap entry, a condition) and lowers it
 * to IR in the same pass. Widths are static: every expression's width is known here, literals take
 * theirs from context, and no operation changes a width implicitly.
 */
import type * as A from "../syntax/ast.js";
import type { Span } from "../syntax/source.js";
import * as IR from "../ir/ir.js";
import { BUILTIN_CONSTS, evalConst, evalNat, fits, mask, type BankedAlias, type Globals } from "./globals.js";

export interface BodyOptions {
  /** Instruction operands (fields and bindings) visible by name, with widths. */
  readonly operands?: ReadonlyMap<string, number>;
  /** Operands present in some encodings only: named in a clearer error. */
  readonly partialOperands?: ReadonlySet<string>;
  /** Fields of encodings that had an error (already reported): their uses are skipped silently. */
  readonly brokenOperands?: ReadonlySet<string>;
  /** The function's result type, when lowering a function body. */
  readonly result?: IR.Type | null;
  /** Whether machine state may be read and written (false for encoding conditions). */
  readonly stateAccess: boolean;
  /** Whether `next_pc` means something here (instruction semantics and the trap entry). */
  readonly nextPc: boolean;
  /** Whether `return;` without a value may end the body early. */
  readonly bareReturn: boolean;
}

interface LocalVar {
  readonly slot: number;
  readonly type: IR.Type;
  readonly mutable: boolean;
  /**
   * Set when the declaration itself had an (already reported) error: uses of the name are then
   * skipped silently instead of being reported again as a width mismatch or an unknown name.
   */
  readonly broken?: boolean;
}

/** What an assignment target writes: a 'var', a register, a file entry, a banked register, or bits of one. */
interface Place {
  readonly type: IR.Type;
  /** The place's current value, as an expression reads it (hard-wired bits, the selected bank). */
  readonly read: IR.Expr;
  /** Stores a new value of the place's type. */
  readonly write: (value: IR.Expr, span: Span) => IR.Stmt[];
}

const MAX_UNROLL = 4096;

const BINOPS: Record<string, IR.BinOp> = {
  "+": "add", "-": "sub", "*": "mul", "/": "udiv", "%": "urem", "&": "and", "|": "or", "^": "xor",
  "<<": "shl", ">>": "lshr", "==": "eq", "!=": "ne", "<": "ult", "<=": "ule", ">": "ugt", ">=": "uge",
  "<s": "slt", "<=s": "sle", ">s": "sgt", ">=s": "sge", "&&": "land", "||": "lor",
};

/** Whether an expression has no width of its own (a literal, an unsized const, a loop index, ...). */
function isUnsized(g: Globals, e: A.Expr, loopVars: ReadonlyMap<string, bigint>, locals: (n: string) => boolean): boolean {
  switch (e.kind) {
    case "num":
      return e.width === null;
    case "name":
      if (locals(e.name)) return false;
      if (loopVars.has(e.name)) return true;
      return (g.consts.get(e.name) ?? BUILTIN_CONSTS.get(e.name))?.width === null;
    case "unary":
      return e.op !== "!" && isUnsized(g, e.operand, loopVars, locals);
    case "binary":
      return !["==", "!=", "<", "<=", ">", ">=", "<s", "<=s", ">s", ">=s", "&&", "||", "@"].includes(e.op) &&
        isUnsized(g, e.left, loopVars, locals) && (e.op === "<<" || e.op === ">>" || isUnsized(g, e.right, loopVars, locals));
    case "cond":
      return isUnsized(g, e.then, loopVars, locals) && isUnsized(g, e.else, loopVars, locals);
    default:
      return false;
  }
}

export class BodyLowerer {
  private readonly scopes: Map<string, LocalVar>[] = [new Map()];
  private readonly loopVars = new Map<string, bigint>();
  private slots = 0;
  /** Functions this body calls, for the recursion check. */
  readonly callees = new Set<string>();

  constructor(
    private readonly g: Globals,
    private readonly options: BodyOptions,
  ) {}

  get slotCount(): number {
    return this.slots;
  }

  private get d() {
    return this.g.diagnostics;
  }

  // ------------------------------------------------------------ scopes

  declareParam(name: string, type: IR.Type): number {
    const slot = this.slots++;
    this.scopes[this.scopes.length - 1]!.set(name, { slot, type, mutable: false });
    return slot;
  }

  private lookupLocal(name: string): LocalVar | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = this.scopes[i]!.get(name);
      if (v) return v;
    }
    return undefined;
  }

  private inScope<T>(f: () => T): T {
    this.scopes.push(new Map());
    try {
      return f();
    } finally {
      this.scopes.pop();
    }
  }

  private unsized(e: A.Expr): boolean {
    return isUnsized(this.g, e, this.loopVars, (n) => this.lookupLocal(n) !== undefined);
  }

  // ------------------------------------------------------------ types

  typeRef(t: A.TypeRef): IR.Type | null {
    if (t.kind === "bool") return IR.bool;
    const w = evalNat(this.g, t.width, "a width", this.loopVars);
    if (w === null) return null;
    if (w < 1) {
      this.d.error("E0305", "a bit vector needs at least one bit", t.span);
      return null;
    }
    return IR.bits(w);
  }

  /** Lowers a condition: bool, or bits(1) read as "is set". */
  condition(e: A.Expr): IR.Expr | null {
    const x = this.expr(e, IR.bool);
    return x ? this.asBool(x, e.span) : null;
  }

  private asBool(x: IR.Expr, span: Span): IR.Expr | null {
    const t = IR.typeOf(x);
    if (t.kind === "bool") return x;
    if (t.width === 1) return { kind: "binary", op: "ne", left: x, right: { kind: "const", value: 0n, width: 1 }, type: IR.bool };
    this.d.error("E0302", `expected a boolean (or a single bit), found bits(${t.width}); compare it, e.g. 'x != 0'`, span);
    return null;
  }

  private expectBits(x: IR.Expr, span: Span): number | null {
    const t = IR.typeOf(x);
    if (t.kind === "bits") return t.width;
    this.d.error("E0303", "expected a bit vector, found a boolean", span);
    return null;
  }

  private checkType(x: IR.Expr, expected: IR.Type | null, span: Span): IR.Expr | null {
    if (!expected) return x;
    const t = IR.typeOf(x);
    if (expected.kind === "bool") {
      if (t.kind === "bool") return x;
      return this.asBool(x, span);
    }
    if (t.kind === "bool") {
      this.d.error("E0303", `expected bits(${expected.width}), found a boolean`, span);
      return null;
    }
    if (t.width !== expected.width) {
      this.d.error("E0301", `expected bits(${expected.width}), found bits(${t.width}); widen or narrow it explicitly (zext, sext, or a slice)`, span);
      return null;
    }
    return x;
  }

  // ------------------------------------------------------------ expressions

  expr(e: A.Expr, expected: IR.Type | null): IR.Expr | null {
    const x = this.exprInner(e, expected);
    return x ? this.checkType(x, expected, e.span) : null;
  }

  private literal(value: bigint, width: number | null, expected: IR.Type | null, span: Span, text: string): IR.Expr | null {
    if (width !== null) {
      return { kind: "const", value: mask(value, width), width };
    }
    if (!expected) {
      // The old hint, "write e.g. zext(1, 32)", was itself an E0304: zext's argument takes no width from context.
      this.d.error("E0304", `cannot tell the width of '${text}' here; give it one from its context, e.g. a typed 'let x: bits(8) = ...' or an operand that has a width`, span);
      return null;
    }
    if (expected.kind === "bool") {
      this.d.error("E0302", `expected a boolean, found the number '${text}'`, span);
      return null;
    }
    if (!fits(value, expected.width)) {
      this.d.error("E0305", `${text} does not fit in bits(${expected.width})`, span);
      return null;
    }
    return { kind: "const", value: mask(value, expected.width), width: expected.width };
  }

  private exprInner(e: A.Expr, expected: IR.Type | null): IR.Expr | null {
    switch (e.kind) {
      case "num":
        return this.literal(e.value, e.width, expected, e.span, e.text);
      case "bool":
        return { kind: "boolConst", value: e.value };
      case "name":
        return this.name(e, expected);
      case "field":
        return this.fieldRead(e);
      case "index":
        return this.indexRead(e);
      case "slice": {
        const base = this.expr(e.base, null);
        if (!base) return null;
        const w = this.expectBits(base, e.base.span);
        const hi = evalNat(this.g, e.hi, "a slice bound", this.loopVars);
        const lo = evalNat(this.g, e.lo, "a slice bound", this.loopVars);
        if (w === null || hi === null || lo === null) return null;
        if (hi < lo || hi >= w) {
          this.d.error("E0307", `slice [${hi}:${lo}] is outside bits(${w})`, e.span);
          return null;
        }
        return { kind: "slice", value: base, hi, lo, width: hi - lo + 1 };
      }
      case "mem":
        return this.memRead(e.addr, e.units, true, e.span);
      case "call":
        return this.call(e, expected);
      case "unary":
        return this.unary(e, expected);
      case "binary":
        return this.binary(e, expected);
      case "cond": {
        const cond = this.condition(e.cond);
        const [t, f] = this.pair(e.then, e.else, expected);
        if (!cond || !t || !f) return null;
        return this.sameType(t, f, e.span) ? { kind: "ite", cond, then: t, else: f, type: IR.typeOf(t) } : null;
      }
    }
  }

  private sameType(a: IR.Expr, b: IR.Expr, span: Span): boolean {
    const ta = IR.typeOf(a);
    const tb = IR.typeOf(b);
    if (ta.kind !== tb.kind || (ta.kind === "bits" && tb.kind === "bits" && ta.width !== tb.width)) {
      this.d.error("E0301", `operands differ in width: ${show(ta)} and ${show(tb)}`, span);
      return false;
    }
    return true;
  }

  /** Lowers two operands that must agree in type; an unsized one takes the other's width. */
  private pair(a: A.Expr, b: A.Expr, expected: IR.Type | null): [IR.Expr | null, IR.Expr | null] {
    if (this.unsized(a) && !this.unsized(b)) {
      const rb = this.expr(b, expected);
      const ra = rb ? this.expr(a, IR.typeOf(rb)) : null;
      return [ra, rb];
    }
    const ra = this.expr(a, expected);
    const rb = ra ? this.expr(b, IR.typeOf(ra)) : null;
    return [ra, rb];
  }

  private name(e: A.Expr & { kind: "name" }, expected: IR.Type | null): IR.Expr | null {
    const local = this.lookupLocal(e.name);
    if (local?.broken) return null;
    if (local) return { kind: "local", slot: local.slot, name: e.name, type: local.type };
    const lv = this.loopVars.get(e.name);
    if (lv !== undefined) return this.literal(lv, null, expected, e.span, `${e.name} (= ${lv})`);
    const operandWidth = this.options.operands?.get(e.name);
    if (operandWidth !== undefined) return { kind: "operand", name: e.name, width: operandWidth };
    if (this.options.brokenOperands?.has(e.name)) return null;
    if (this.options.partialOperands?.has(e.name)) {
      this.d.error("E0406", `'${e.name}' is a field of some encodings of this instruction but not of all of them; the semantics may read only what every encoding defines (give the others a field or binding '${e.name}')`, e.span);
      return null;
    }
    const c = this.g.consts.get(e.name) ?? BUILTIN_CONSTS.get(e.name);
    if (c) {
      this.g.used.add(e.name);
      return this.literal(c.value, c.width, expected, e.span, e.name);
    }
    if (e.name === "next_pc") {
      if (!this.options.nextPc) {
        this.d.error("E0201", "'next_pc' means something only in instruction semantics and the trap entry; pass it to the function as an argument", e.span);
        return null;
      }
      return { kind: "nextPc", width: this.g.vaddrWidth };
    }
    const el = this.g.elementByName.get(e.name);
    if (el !== undefined) {
      if (!this.stateOk(e.span)) return null;
      const element = this.g.elements[el]!;
      if (element.count !== null) {
        this.d.error("E0309", `'${e.name}' is a register file; index it, e.g. ${e.name}[0]`, e.span);
        return null;
      }
      return this.readReg(el);
    }
    const alias = this.g.banked.get(e.name);
    if (alias) {
      if (!this.stateOk(e.span)) return null;
      return this.readBanked(alias);
    }
    if (this.g.memory?.name === e.name) {
      this.d.error("E0309", `'${e.name}' is the physical memory; index it, e.g. ${e.name}[addr]`, e.span);
      return null;
    }
    this.d.error("E0201", `unknown name '${e.name}'${this.suggest(e.name)}`, e.span);
    return null;
  }

  private suggest(name: string): string {
    const candidates = [
      ...this.scopes.flatMap((s) => [...s.keys()]),
      ...(this.options.operands ? [...this.options.operands.keys()] : []),
      ...this.g.consts.keys(),
      ...this.g.elementByName.keys(),
      ...this.g.banked.keys(),
      ...this.g.functions.keys(),
    ];
    const best = candidates
      .map((c) => ({ c, d: editDistance(c.toLowerCase(), name.toLowerCase()) }))
      .filter((x) => x.d <= Math.max(1, Math.floor(name.length / 3)))
      .sort((a, b) => a.d - b.d)[0];
    return best ? `; did you mean '${best.c}'?` : "";
  }

  private stateOk(span: Span): boolean {
    if (this.options.stateAccess) return true;
    this.d.error("E0201", "machine state cannot be used here: an encoding condition or binding sees only the instruction's fields", span);
    return false;
  }

  // ------------------------------------------------------------ state reads, with hard-wired entries applied

  private readReg(element: number): IR.Expr {
    const el = this.g.elements[element]!;
    let x: IR.Expr = { kind: "reg", element, width: el.width };
    for (const h of this.g.hardwires) if (h.element === element && h.index === null) x = insertConst(x, h.hi, h.lo, h.value);
    return x;
  }

  private readRegFile(element: number, index: IR.Expr): IR.Expr {
    const el = this.g.elements[element]!;
    let x: IR.Expr = { kind: "regFile", element, index, width: el.width };
    for (const h of this.g.hardwires) {
      if (h.element !== element || h.index === null) continue;
      const fixed = insertConst(x, h.hi, h.lo, h.value);
      if (index.kind === "const") {
        if (index.value === h.index) x = fixed;
      } else {
        const hit: IR.Expr = { kind: "binary", op: "eq", left: index, right: { kind: "const", value: h.index, width: IR.widthOf(index) }, type: IR.bool };
        x = { kind: "ite", cond: hit, then: fixed, else: x, type: IR.bits(el.width) };
      }
    }
    return x;
  }

  private readBanked(alias: BankedAlias): IR.Expr {
    const dflt = alias.banks.find((b) => b.values === null) ?? alias.banks[alias.banks.length - 1]!;
    let x: IR.Expr = this.readReg(dflt.element);
    for (const b of [...alias.banks].reverse()) {
      if (b.values === null || b === dflt) continue;
      x = { kind: "ite", cond: this.selectorIn(alias.selector, b.values), then: this.readReg(b.element), else: x, type: IR.bits(alias.width), bank: alias.name };
    }
    return x;
  }

  private selectorIn(selector: IR.Expr, values: readonly bigint[]): IR.Expr {
    const w = IR.widthOf(selector);
    return values
      .map((v): IR.Expr => ({ kind: "binary", op: "eq", left: selector, right: { kind: "const", value: v, width: w }, type: IR.bool }))
      .reduce((a, b) => ({ kind: "binary", op: "lor", left: a, right: b, type: IR.bool }));
  }

  private fieldRead(e: A.Expr & { kind: "field" }): IR.Expr | null {
    const target = this.fieldTarget(e);
    if (!target) return null;
    return { kind: "slice", value: target.read, hi: target.hi, lo: target.lo, width: target.hi - target.lo + 1 };
  }

  /** Resolves `R.F` or `X[i].F` to the containing register and the field's bits. */
  private fieldTarget(e: A.Expr & { kind: "field" }): { read: IR.Expr; element: number; index: IR.Expr | null; hi: number; lo: number } | null {
    let element: number | undefined;
    let index: IR.Expr | null = null;
    if (e.base.kind === "name") {
      element = this.g.elementByName.get(e.base.name);
    } else if (e.base.kind === "index" && e.base.base.kind === "name") {
      element = this.g.elementByName.get(e.base.base.name);
      if (element !== undefined && this.g.elements[element]!.count !== null) {
        index = this.regIndex(element, e.base.index);
        if (!index) return null;
      } else {
        element = undefined;
      }
    }
    if (element === undefined) {
      this.d.error("E0203", `'.${e.field.name}' needs a register with declared fields on its left`, e.span);
      return null;
    }
    if (!this.stateOk(e.span)) return null;
    const el = this.g.elements[element]!;
    if (el.count !== null && index === null) {
      this.d.error("E0309", `'${el.name}' is a register file; index it before taking a field`, e.span);
      return null;
    }
    const f = el.fields.get(e.field.name);
    if (!f) {
      const known = [...el.fields.keys()];
      this.d.error("E0203", `register '${el.name}' has no field '${e.field.name}'${known.length ? ` (fields: ${known.join(", ")})` : ""}`, e.field.span);
      return null;
    }
    const read = index ? this.readRegFile(element, index) : this.readReg(element);
    return { read, element, index, hi: f.hi, lo: f.lo };
  }

  private regIndex(element: number, e: A.Expr): IR.Expr | null {
    const el = this.g.elements[element]!;
    const w = Math.max(1, Math.ceil(Math.log2(el.count!)));
    // A constant index is checked against the entry count first: lowered as a bits(w) literal, R[4]
    // of a 4-entry file was reported as "4 does not fit in bits(2)", which does not say what is wrong.
    const c = this.unsized(e) ? evalConst(this.g, e, false, this.loopVars) : null;
    if (c && (c.value < 0n || c.value >= BigInt(el.count!))) {
      this.d.error("E0305", `index ${c.value} is outside '${el.name}', which has ${el.count} entries (0 to ${el.count! - 1})`, e.span);
      return null;
    }
    const ix = this.expr(e, this.unsized(e) ? IR.bits(w) : null);
    if (!ix) return null;
    const iw = this.expectBits(ix, e.span);
    if (iw === null) return null;
    if (ix.kind === "const" && ix.value >= BigInt(el.count!)) {
      this.d.error("E0305", `index ${ix.value} is outside '${el.name}', which has ${el.count} entries (0 to ${el.count! - 1})`, e.span);
      return null;
    }
    if (iw !== w && ix.kind !== "const") {
      this.d.error("E0301", `'${el.name}' has ${el.count} entries, so its index is bits(${w}); found bits(${iw})`, e.span);
      return null;
    }
    return ix.kind === "const" ? { kind: "const", value: ix.value, width: w } : ix;
  }

  private indexRead(e: A.Expr & { kind: "index" }): IR.Expr | null {
    if (e.base.kind === "name") {
      const el = this.g.elementByName.get(e.base.name);
      if (el !== undefined && this.g.elements[el]!.count !== null && !this.lookupLocal(e.base.name)) {
        if (!this.stateOk(e.span)) return null;
        if (e.units) this.d.error("E0309", "only memory takes a unit count", e.units.span);
        const index = this.regIndex(el, e.index);
        return index ? this.readRegFile(el, index) : null;
      }
      if (this.g.memory && e.base.name === this.g.memory.name && !this.lookupLocal(e.base.name)) {
        return this.memRead(e.index, e.units, false, e.span);
      }
    }
    if (e.units) this.d.error("E0309", "only memory takes a unit count", e.units.span);
    // A single bit of a bit vector, at a constant or computed position.
    const base = this.expr(e.base, null);
    if (!base) return null;
    const w = this.expectBits(base, e.base.span);
    if (w === null) return null;
    const c = evalConst(this.g, e.index, false, this.loopVars);
    if (c) {
      if (c.value < 0n || c.value >= BigInt(w)) {
        this.d.error("E0307", `bit ${c.value} is outside bits(${w})`, e.index.span);
        return null;
      }
      const b = Number(c.value);
      return { kind: "slice", value: base, hi: b, lo: b, width: 1 };
    }
    const ix = this.expr(e.index, null);
    if (!ix || this.expectBits(ix, e.index.span) === null) return null;
    const amount = this.shiftAmount(ix, w, "lshr");
    return { kind: "slice", value: { kind: "binary", op: "lshr", left: base, right: amount, type: IR.bits(w) }, hi: 0, lo: 0, width: 1 };
  }

  private memRead(addrE: A.Expr, unitsE: A.Expr | null, virtual: boolean, span: Span): IR.Expr | null {
    if (!this.stateOk(span)) return null;
    const mem = this.g.memory;
    if (!mem) {
      this.d.error("E0501", "this spec declares no memory", span);
      return null;
    }
    const units = unitsE ? evalNat(this.g, unitsE, "a unit count", this.loopVars) : 1;
    if (units === null) return null;
    if (units < 1 || units > 16) {
      this.d.error("E0305", "a memory access reads 1 to 16 units", unitsE?.span ?? span);
      return null;
    }
    const addr = this.expr(addrE, IR.bits(virtual ? this.g.vaddrWidth : mem.addrWidth));
    if (!addr) return null;
    return { kind: "load", addr, units, virtual, width: units * mem.unitWidth };
  }

  // ------------------------------------------------------------ operators

  private unary(e: A.Expr & { kind: "unary" }, expected: IR.Type | null): IR.Expr | null {
    if (e.op === "!") {
      const v = this.condition(e.operand);
      return v ? { kind: "unary", op: "lnot", value: v, type: IR.bool } : null;
    }
    const v = this.expr(e.operand, expected && expected.kind === "bits" ? expected : null);
    if (!v) return null;
    const w = this.expectBits(v, e.operand.span);
    if (w === null) return null;
    return { kind: "unary", op: e.op === "-" ? "neg" : "not", value: v, type: IR.bits(w) };
  }

  private binary(e: A.Expr & { kind: "binary" }, expected: IR.Type | null): IR.Expr | null {
    if (e.op === "&&" || e.op === "||") {
      const l = this.condition(e.left);
      const r = this.condition(e.right);
      return l && r ? { kind: "binary", op: BINOPS[e.op]!, left: l, right: r, type: IR.bool } : null;
    }
    if (e.op === "@") {
      const l = this.expr(e.left, null);
      const r = this.expr(e.right, null);
      if (!l || !r) return null;
      const lw = this.expectBits(l, e.left.span);
      const rw = this.expectBits(r, e.right.span);
      if (lw === null || rw === null) return null;
      return { kind: "concat", parts: [l, r], width: lw + rw };
    }
    if (e.op === "<<" || e.op === ">>") {
      const l = this.expr(e.left, expected && expected.kind === "bits" ? expected : null);
      if (!l) return null;
      const w = this.expectBits(l, e.left.span);
      if (w === null) return null;
      const r = this.expr(e.right, this.unsized(e.right) ? IR.bits(w) : null);
      if (!r || this.expectBits(r, e.right.span) === null) return null;
      const op = BINOPS[e.op]!;
      return { kind: "binary", op, left: l, right: this.shiftAmount(r, w, op), type: IR.bits(w) };
    }
    const isCompare = ["==", "!=", "<", "<=", ">", ">=", "<s", "<=s", ">s", ">=s"].includes(e.op);
    const [l, r] = this.pair(e.left, e.right, isCompare ? null : expected && expected.kind === "bits" ? expected : null);
    if (!l || !r) return null;
    if (!this.sameType(l, r, e.span)) return null;
    const t = IR.typeOf(l);
    if (t.kind === "bool") {
      if (e.op === "==" || e.op === "!=") return { kind: "binary", op: BINOPS[e.op]!, left: l, right: r, type: IR.bool };
      this.d.error("E0303", `'${e.op}' needs bit vectors, not booleans`, e.span);
      return null;
    }
    return { kind: "binary", op: BINOPS[e.op]!, left: l, right: r, type: isCompare ? IR.bool : t };
  }

  /** Brings a shift or rotate amount to the shifted value's width without changing its meaning. */
  private shiftAmount(amount: IR.Expr, width: number, op: IR.BinOp): IR.Expr {
    const aw = IR.widthOf(amount);
    if (aw === width) return amount;
    if (op === "rol" || op === "ror") {
      // Rotation is modulo the width: reduce in the amount's own width first.
      const reduced: IR.Expr = aw > width || BigInt(width) > (1n << BigInt(aw)) - 1n
        ? { kind: "binary", op: "urem", left: amount, right: { kind: "const", value: mask(BigInt(width), aw), width: aw }, type: IR.bits(aw) }
        : amount;
      return aw < width ? { kind: "zext", value: reduced, width } : { kind: "slice", value: reduced, hi: width - 1, lo: 0, width };
    }
    if (aw < width) return { kind: "zext", value: amount, width };
    // A wider amount: anything that does not fit saturates to all ones, which shifts every bit out.
    const max = (1n << BigInt(width)) - 1n;
    const tooBig: IR.Expr = { kind: "binary", op: "ugt", left: amount, right: { kind: "const", value: max, width: aw }, type: IR.bool };
    return { kind: "ite", cond: tooBig, then: { kind: "const", value: max, width }, else: { kind: "slice", value: amount, hi: width - 1, lo: 0, width }, type: IR.bits(width) };
  }

  // ------------------------------------------------------------ calls

  private call(e: A.Expr & { kind: "call" }, expected: IR.Type | null): IR.Expr | null {
    const name = e.callee.name;
    const argc = (n: number | number[]) => {
      const ok = Array.isArray(n) ? n.includes(e.args.length) : e.args.length === n;
      if (!ok) this.d.error("E0206", `'${name}' takes ${Array.isArray(n) ? n.join(" or ") : n} argument(s), not ${e.args.length}`, e.span);
      return ok;
    };
    switch (name) {
      case "zext":
      case "sext": {
        if (!argc([1, 2])) return null;
        const v = this.expr(e.args[0]!, null);
        if (!v) return null;
        const w = this.expectBits(v, e.args[0]!.span);
        if (w === null) return null;
        let to: number | null;
        if (e.args.length === 2) to = evalNat(this.g, e.args[1]!, "a width", this.loopVars);
        else if (expected?.kind === "bits") to = expected.width;
        else {
          this.d.error("E0310", `${name}(x) needs a target width here: write ${name}(x, N)`, e.span);
          return null;
        }
        if (to === null) return null;
        if (to < w) {
          this.d.error("E0310", `${name} cannot narrow bits(${w}) to bits(${to}); take a slice instead`, e.span);
          return null;
        }
        return to === w ? v : { kind: name, value: v, width: to };
      }
      case "trunc": {
        if (!argc(2)) return null;
        const v = this.expr(e.args[0]!, null);
        const to = evalNat(this.g, e.args[1]!, "a width", this.loopVars);
        if (!v || to === null) return null;
        const w = this.expectBits(v, e.args[0]!.span);
        if (w === null) return null;
        if (to > w || to < 1) {
          this.d.error("E0310", `trunc cannot make bits(${to}) from bits(${w})`, e.span);
          return null;
        }
        return to === w ? v : { kind: "slice", value: v, hi: to - 1, lo: 0, width: to };
      }
      case "sra":
      case "rol":
      case "ror": {
        if (!argc(2)) return null;
        const v = this.expr(e.args[0]!, expected && expected.kind === "bits" ? expected : null);
        if (!v) return null;
        const w = this.expectBits(v, e.args[0]!.span);
        if (w === null) return null;
        const n = this.expr(e.args[1]!, this.unsized(e.args[1]!) ? IR.bits(w) : null);
        if (!n || this.expectBits(n, e.args[1]!.span) === null) return null;
        const op: IR.BinOp = name === "sra" ? "ashr" : name;
        return { kind: "binary", op, left: v, right: this.shiftAmount(n, w, op), type: IR.bits(w) };
      }
      case "sdiv":
      case "srem": {
        if (!argc(2)) return null;
        const [a, b] = this.pair(e.args[0]!, e.args[1]!, expected && expected.kind === "bits" ? expected : null);
        if (!a || !b || !this.sameType(a, b, e.span)) return null;
        const w = this.expectBits(a, e.args[0]!.span);
        if (w === null) return null;
        return { kind: "binary", op: name, left: a, right: b, type: IR.bits(w) };
      }
    }
    const fn = this.g.functions.get(name);
    if (!fn) {
      // With no near miss to suggest, list what can be called, so the message says what to do.
      const hint = this.suggest(name) || `; declare it with 'function ${name}(...)', or call a built-in (zext, sext, trunc, sra, rol, ror, sdiv, srem)`;
      this.d.error("E0205", `unknown function '${name}'${hint}`, e.callee.span);
      return null;
    }
    if (fn.decl.isTranslate) {
      this.d.error("E0205", "'translate' is applied by memory accesses (mem[...]); it is not called directly", e.callee.span);
      return null;
    }
    this.g.used.add(`fn:${name}`);
    this.callees.add(name);
    if (!this.stateOk(e.span)) return null;
    if (!argc(fn.params.length)) return null;
    const args: IR.Expr[] = [];
    for (let i = 0; i < fn.params.length; i++) {
      const a = this.expr(e.args[i]!, fn.params[i]!.type);
      if (!a) return null;
      args.push(a);
    }
    return { kind: "call", fn: fn.id, args, type: fn.result };
  }

  // ------------------------------------------------------------ statements

  block(b: A.Block): IR.Stmt[] {
    return this.inScope(() => this.stmts(b.stmts));
  }

  private stmts(list: readonly A.Stmt[]): IR.Stmt[] {
    const out: IR.Stmt[] = [];
    let ended = false;
    for (const s of list) {
      if (ended) {
        this.d.error("W0702", "this statement never runs: the one before it always ends the body; remove it or move it up", s.span);
        ended = false;
      }
      out.push(...this.stmt(s));
      if (s.kind === "return" || s.kind === "trap" || s.kind === "halt") ended = true;
    }
    return out;
  }

  private stmt(s: A.Stmt): IR.Stmt[] {
    switch (s.kind) {
      case "block":
        return this.block(s);
      case "let": {
        const type = s.type ? this.typeRef(s.type) : null;
        // A bad declared type (already reported) leaves the value unchecked: with no type to check it
        // against, a literal would only add a misleading E0304.
        const value = s.type && !type ? null : this.expr(s.value, type);
        const scope = this.scopes[this.scopes.length - 1]!;
        if (scope.has(s.name.name)) this.d.error("E0202", `'${s.name.name}' is already defined in this block`, s.name.span);
        const slot = this.slots++;
        // Declared even when its type or value failed, but marked broken, so that later uses are
        // neither "unknown names" nor width mismatches against a made-up type.
        scope.set(s.name.name, { slot, type: value ? IR.typeOf(value) : type ?? IR.bits(1), mutable: s.mutable, broken: !value });
        return value ? [{ kind: "let", slot, name: s.name.name, value, span: s.span }] : [];
      }
      case "assign":
        return this.assign(s.target, s.value, s.span);
      case "if": {
        const cond = this.condition(s.cond);
        const then = this.block(s.then);
        const els = s.else ? this.block(s.else) : [];
        return cond ? [{ kind: "if", cond, then, else: els, span: s.span }] : [];
      }
      case "match":
        return this.match(s);
      case "for": {
        const from = evalConst(this.g, s.from, true, this.loopVars);
        const to = evalConst(this.g, s.to, true, this.loopVars);
        if (!from || !to) return [];
        if (to.value - from.value + 1n > BigInt(MAX_UNROLL)) {
          this.d.error("E0305", `a loop may run at most ${MAX_UNROLL} times`, s.span);
          return [];
        }
        const out: IR.Stmt[] = [];
        const shadowed = this.loopVars.get(s.variable.name);
        for (let i = from.value; i <= to.value; i++) {
          this.loopVars.set(s.variable.name, i);
          out.push(...this.block(s.body));
        }
        if (shadowed === undefined) this.loopVars.delete(s.variable.name);
        else this.loopVars.set(s.variable.name, shadowed);
        return out;
      }
      case "return": {
        const result = this.options.result ?? null;
        if (s.value === null) {
          if (result) this.d.error("E0308", `this function returns ${show(result)}; give 'return' a value`, s.span);
          else if (!this.options.bareReturn && this.options.result === undefined) this.d.error("E0308", "'return' is not allowed here", s.span);
          return [{ kind: "return", value: null, span: s.span }];
        }
        if (!result) {
          this.d.error("E0308", "this body returns no value: write 'return;' (a function that returns one declares it, e.g. '-> bits(8)')", s.value.span);
          return [];
        }
        const v = this.expr(s.value, result);
        // A value that failed to check (already reported) still ends the path: dropping the statement
        // made the function also "reach its end without returning" (a spurious E0308). The IR is
        // discarded when there are errors.
        return [{ kind: "return", value: v, span: s.span }];
      }
      case "trap": {
        const cause = this.g.causes.get(s.cause.name);
        if (!cause) {
          const known = [...this.g.causes.keys()];
          this.d.error("E0204", `unknown trap cause '${s.cause.name}'; declare it with 'cause ${s.cause.name} = CODE;'${known.length ? ` or use one of: ${known.join(", ")}` : ""}`, s.cause.span);
          // A placeholder that ends the path as the trap would, so no spurious E0308 follows.
          return [{ kind: "halt", span: s.span }];
        }
        this.g.used.add(`cause:${cause.name}`);
        if (!this.options.stateAccess) return [];
        if (s.arg === null) return [{ kind: "trap", cause: cause.id, arg: null, span: s.span }];
        const infoWidth = this.g.trapEntry?.infoWidth ?? null;
        if (infoWidth === null) {
          this.d.error("E0506", "the trap entry takes no information, so a trap carries no argument: drop the argument, or give the trap entry a second parameter 'info: bits(N)'", s.arg.span);
          return [{ kind: "trap", cause: cause.id, arg: null, span: s.span }];
        }
        const arg = this.expr(s.arg, IR.bits(infoWidth));
        // Kept even when the argument failed (already reported), so the path still ends (no spurious E0308).
        return [{ kind: "trap", cause: cause.id, arg, span: s.span }];
      }
      case "halt":
        return [{ kind: "halt", span: s.span }];
      case "either":
        return [{ kind: "either", branches: s.branches.map((b) => this.block(b)), span: s.span }];
      case "output": {
        const v = this.expr(s.value, null);
        return v && this.expectBits(v, s.value.span) !== null ? [{ kind: "output", value: v, span: s.span }] : [];
      }
      case "expr": {
        if (s.expr.kind !== "call") {
          this.d.error("E0102", "this expression does nothing; did you mean an assignment?", s.span);
          return [];
        }
        const c = this.expr(s.expr, null);
        return c && c.kind === "call" ? [{ kind: "call", call: c, span: s.span }] : [];
      }
    }
  }

  private match(s: A.Stmt & { kind: "match" }): IR.Stmt[] {
    const subject = this.expr(s.subject, null);
    if (!subject) return [];
    const w = this.expectBits(subject, s.subject.span);
    if (w === null) return [];
    const slot = this.slots++;
    const tmp: IR.Expr = { kind: "local", slot, name: "match", type: IR.bits(w) };
    let chain: IR.Stmt[] = [];
    const arms = [...s.arms];
    const wildcard = arms.findIndex((a) => a.patterns === null);
    if (wildcard >= 0 && wildcard !== arms.length - 1) this.d.error("W0702", "arms after the wildcard '_' never run; move the '_' arm last", arms[wildcard + 1]!.span);
    for (const arm of arms.reverse()) {
      const body = this.block(arm.body);
      if (arm.patterns === null) {
        chain = body;
        continue;
      }
      const conds: IR.Expr[] = [];
      for (const p of arm.patterns) {
        const c = evalConst(this.g, p, true, this.loopVars);
        if (!c) continue;
        if ((c.width !== null && c.width !== w) || !fits(c.value, w)) {
          this.d.error("E0305", `pattern ${p.kind === "num" ? p.text : "value"} does not match bits(${w})`, p.span);
          continue;
        }
        conds.push({ kind: "binary", op: "eq", left: tmp, right: { kind: "const", value: mask(c.value, w), width: w }, type: IR.bool });
      }
      if (conds.length === 0) continue;
      const cond = conds.reduce((a, b) => ({ kind: "binary", op: "lor", left: a, right: b, type: IR.bool }));
      chain = [{ kind: "if", cond, then: body, else: chain, span: arm.span }];
    }
    return [{ kind: "let", slot, name: "match", value: subject, span: s.subject.span }, ...chain];
  }

  // ------------------------------------------------------------ assignment

  private assign(target: A.Expr, valueE: A.Expr, span: Span): IR.Stmt[] {
    // Memory is written whole: `mem[a] = v`, `E[a, 2] = v`.
    if (target.kind === "mem") return this.store(target.addr, target.units, valueE, true, span);
    if (target.kind === "index" && target.base.kind === "name" && this.g.memory && target.base.name === this.g.memory.name && !this.lookupLocal(target.base.name)) {
      return this.store(target.index, target.units, valueE, false, span);
    }
    const place = this.place(target, false);
    if (!place) return [];
    const v = this.expr(valueE, place.type);
    return v ? place.write(v, span) : [];
  }

  /**
   * Resolves an assignment target to what it writes. Names are looked up in the order expressions
   * read them (locals, loop variables, operands, constants, next_pc, registers, banked registers), so
   * an assignment writes what the same name reads. A slice, a bit or a field of a place is a place
   * too: it is written by reading the whole place (hard-wired bits and the selected bank included),
   * replacing the bits and writing the whole back. `partial` is set inside a slice, bit or field.
   */
  private place(target: A.Expr, partial: boolean): Place | null {
    const fail = (why: string): null => {
      this.d.error("E0207", why, target.span);
      return null;
    };
    switch (target.kind) {
      case "name": {
        const name = target.name;
        const local = this.lookupLocal(name);
        if (local?.broken) return null;
        if (local) {
          if (!local.mutable) return fail(`'${name}' is a 'let' binding or a parameter; declare it with 'var' to assign to it`);
          const read: IR.Expr = { kind: "local", slot: local.slot, name, type: local.type };
          return { type: local.type, read, write: (value, span) => [{ kind: "setLocal", slot: local.slot, value, span }] };
        }
        if (this.loopVars.has(name)) return fail(`'${name}' is a loop variable and cannot be assigned; copy it into a 'var' to change it`);
        if (this.options.brokenOperands?.has(name)) return null;
        if (this.options.operands?.has(name) || this.options.partialOperands?.has(name)) {
          return fail(`'${name}' is an instruction field and cannot be assigned; copy it into a 'var' to change it`);
        }
        if (this.g.consts.has(name) || BUILTIN_CONSTS.has(name)) return fail(`'${name}' is a constant`);
        if (name === "next_pc") return fail("'next_pc' cannot be assigned; write the program counter register to jump");
        const el = this.g.elementByName.get(name);
        if (el !== undefined) {
          if (!this.stateOk(target.span)) return null;
          const element = this.g.elements[el]!;
          if (element.count !== null) return fail(`'${name}' is a register file; assign to one entry, e.g. ${name}[0]`);
          return { type: IR.bits(element.width), read: this.readReg(el), write: (value, span) => this.writeReg(el, value, span) };
        }
        const alias = this.g.banked.get(name);
        if (alias) {
          if (!this.stateOk(target.span)) return null;
          return { type: IR.bits(alias.width), read: this.readBanked(alias), write: (value, span) => this.writeBanked(alias, value, span) };
        }
        if (this.g.memory?.name === name) {
          this.d.error("E0309", `'${name}' is the physical memory; assign to one address, e.g. ${name}[addr] = ...`, target.span);
          return null;
        }
        this.d.error("E0201", `unknown name '${name}'${this.suggest(name)}`, target.span);
        return null;
      }
      case "index": {
        if (target.base.kind === "name" && !this.lookupLocal(target.base.name)) {
          const el = this.g.elementByName.get(target.base.name);
          if (el !== undefined && this.g.elements[el]!.count !== null) {
            if (!this.stateOk(target.span)) return null;
            if (target.units) this.d.error("E0309", "only memory takes a unit count", target.units.span);
            const index = this.regIndex(el, target.index);
            const width = this.g.elements[el]!.width;
            const type = IR.bits(width);
            // A bad index (already reported) still leaves the entry's width known: the value is checked
            // against it, so its own mistakes are reported too, and nothing is written.
            if (!index) return { type, read: { kind: "const", value: 0n, width }, write: () => [] };
            return { type, read: this.readRegFile(el, index), write: (value, span) => this.writeRegFile(el, index, value, span) };
          }
          if (this.g.memory && target.base.name === this.g.memory.name) {
            return fail("memory cannot be assigned in part: read the unit, change the bits and write it back whole");
          }
        }
        if (target.units) this.d.error("E0309", "only memory takes a unit count", target.units.span);
        // One bit of a place.
        const c = evalConst(this.g, target.index, false, this.loopVars);
        if (!c) return fail("only a constant bit position can be assigned");
        const b = Number(c.value);
        return this.bitsOf(target.base, b, b);
      }
      case "slice": {
        const hi = evalNat(this.g, target.hi, "a slice bound", this.loopVars);
        const lo = evalNat(this.g, target.lo, "a slice bound", this.loopVars);
        if (hi === null || lo === null) return null;
        return this.bitsOf(target.base, hi, lo);
      }
      case "field": {
        const t = this.fieldTarget(target);
        if (!t) return null;
        const whole: Place = {
          type: IR.bits(this.g.elements[t.element]!.width),
          read: t.read,
          write: (value, span) => (t.index ? this.writeRegFile(t.element, t.index, value, span) : this.writeReg(t.element, value, span)),
        };
        return this.subPlace(whole, t.hi, t.lo);
      }
      case "mem":
        return fail("memory cannot be assigned in part: read the unit, change the bits and write it back whole");
      default:
        return fail(partial
          ? "only registers, register-file entries, fields, banked registers and 'var's can be assigned in part"
          : "this cannot be assigned to: assign to a register, a field, a slice, memory, or a 'var'");
    }
  }

  /** Bits hi..lo of the place `baseE`. */
  private bitsOf(baseE: A.Expr, hi: number, lo: number): Place | null {
    const base = this.place(baseE, true);
    if (!base) return null;
    if (base.type.kind !== "bits") {
      this.d.error("E0303", "expected a bit vector, found a boolean", baseE.span);
      return null;
    }
    const w = base.type.width;
    // lo < 0: a negative constant bit position (`R[0][-1] = 1`) once produced IR with a negative slice.
    if (hi < lo || hi >= w || lo < 0) {
      this.d.error("E0307", `bits [${hi}:${lo}] are outside bits(${w})`, baseE.span);
      return null;
    }
    return this.subPlace(base, hi, lo);
  }

  /** Bits hi..lo (in range) of a place: read as a slice, written by read-modify-write of the whole. */
  private subPlace(base: Place, hi: number, lo: number): Place {
    return {
      type: IR.bits(hi - lo + 1),
      read: { kind: "slice", value: base.read, hi, lo, width: hi - lo + 1 },
      write: (value, span) => base.write(insert(base.read, hi, lo, value), span),
    };
  }

  private store(addrE: A.Expr, unitsE: A.Expr | null, valueE: A.Expr, virtual: boolean, span: Span): IR.Stmt[] {
    const probe = this.memRead(addrE, unitsE, virtual, span);
    if (!probe || probe.kind !== "load") return [];
    const v = this.expr(valueE, IR.bits(probe.width));
    return v ? [{ kind: "store", addr: probe.addr, units: probe.units, value: v, virtual, span }] : [];
  }

  private writeReg(element: number, value: IR.Expr, span: Span): IR.Stmt[] {
    let v = value;
    for (const h of this.g.hardwires) {
      if (h.element !== element || h.index !== null) continue;
      if (h.hi - h.lo + 1 === this.g.elements[element]!.width) return this.evaluateOnly(value, span);
      v = insertConst(v, h.hi, h.lo, h.value);
    }
    return [{ kind: "setReg", element, value: v, span }];
  }

  /** Writes the bank the selector picks now; the value is computed once, before the selector is tested. */
  private writeBanked(alias: BankedAlias, value: IR.Expr, span: Span): IR.Stmt[] {
    const slot = this.slots++;
    const tmp: IR.Expr = { kind: "local", slot, name: "banked", type: IR.bits(alias.width) };
    const dflt = alias.banks.find((b) => b.values === null) ?? alias.banks[alias.banks.length - 1]!;
    let chain: IR.Stmt[] = this.writeReg(dflt.element, tmp, span);
    for (const b of [...alias.banks].reverse()) {
      if (b.values === null || b === dflt) continue;
      chain = [{ kind: "if", cond: this.selectorIn(alias.selector, b.values), then: this.writeReg(b.element, tmp, span), else: chain, span, bank: alias.name }];
    }
    return [{ kind: "let", slot, name: "banked", value, span }, ...chain];
  }

  /**
   * A write to a wholly hard-wired register is dropped, but its value is still evaluated when that
   * has effects: a load still translates and may trap (RISC-V U §2.6: a load to x0 still raises its
   * exceptions), a call may trap.
   */
  private evaluateOnly(value: IR.Expr, span: Span): IR.Stmt[] {
    if (!hasEffects(value)) return [];
    const slot = this.slots++;
    return [{ kind: "let", slot, name: "discarded", value, span }];
  }

  private writeRegFile(element: number, index: IR.Expr, value: IR.Expr, span: Span): IR.Stmt[] {
    const width = this.g.elements[element]!.width;
    // A value with effects is evaluated once, before the write that hard-wiring may drop.
    let pre: IR.Stmt[] = [];
    let v = value;
    if (hasEffects(value) && this.g.hardwires.some((h) => h.element === element && h.index !== null && h.hi - h.lo + 1 === width)) {
      const slot = this.slots++;
      pre = [{ kind: "let", slot, name: "written", value, span }];
      v = { kind: "local", slot, name: "written", type: IR.typeOf(value) };
    }
    let out: IR.Stmt[] = [{ kind: "setRegFile", element, index, value: v, span }];
    for (const h of this.g.hardwires) {
      if (h.element !== element || h.index === null) continue;
      const whole = h.hi - h.lo + 1 === width;
      if (index.kind === "const") {
        if (index.value !== h.index) continue;
        if (whole) return pre;
        out = [{ kind: "setRegFile", element, index, value: insertConst(v, h.hi, h.lo, h.value), span }];
      } else if (whole) {
        const miss: IR.Expr = { kind: "binary", op: "ne", left: index, right: { kind: "const", value: h.index, width: IR.widthOf(index) }, type: IR.bool };
        out = [{ kind: "if", cond: miss, then: out, else: [], span }];
      }
    }
    return [...pre, ...out];
  }
}

/** Whether evaluating an expression can do more than compute a value: a memory access or a call (either may trap). */
function hasEffects(e: IR.Expr): boolean {
  switch (e.kind) {
    case "load":
    case "call":
      return true;
    case "regFile":
      return hasEffects(e.index);
    case "slice":
    case "zext":
    case "sext":
    case "unary":
      return hasEffects(e.value);
    case "concat":
      return e.parts.some(hasEffects);
    case "binary":
      return hasEffects(e.left) || hasEffects(e.right);
    case "ite":
      return hasEffects(e.cond) || hasEffects(e.then) || hasEffects(e.else);
    default:
      return false;
  }
}

/** base with bits hi..lo replaced by value. */
export function insert(base: IR.Expr, hi: number, lo: number, value: IR.Expr): IR.Expr {
  const w = IR.widthOf(base);
  if (hi - lo + 1 === w) return value;
  const parts: IR.Expr[] = [];
  if (hi < w - 1) parts.push({ kind: "slice", value: base, hi: w - 1, lo: hi + 1, width: w - 1 - hi });
  parts.push(value);
  if (lo > 0) parts.push({ kind: "slice", value: base, hi: lo - 1, lo: 0, width: lo });
  return { kind: "concat", parts, width: w };
}

function insertConst(base: IR.Expr, hi: number, lo: number, value: bigint): IR.Expr {
  return insert(base, hi, lo, { kind: "const", value: mask(value, hi - lo + 1), width: hi - lo + 1 });
}

function show(t: IR.Type): string {
  return t.kind === "bool" ? "bool" : `bits(${t.width})`;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i]![j] = Math.min(dp[i - 1]![j]! + 1, dp[i]![j - 1]! + 1, dp[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length]![b.length]!;
}
