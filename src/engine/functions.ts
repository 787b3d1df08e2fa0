/**
 * Spec functions the engine calls outside blocks, compiled once per machine: translate for
 * instruction fetch (used while translating a block) and the trap entry (journaled, since a trap
 * raised inside it is an error that must leave no trace).
 */
import * as IR from "../ir/ir.js";
import { J, printStmts } from "./js.js";
import { limbsOf, type RegisterLayout } from "./layout.js";
import { PHASE, site, type Runtime } from "./runtime.js";
import { PROLOGUE } from "./block.js";
import { Specializer, type SpecializeOptions } from "./specialize.js";
import { C, N, num, W, type Val } from "./values.js";

interface Params {
  readonly names: string[];
  readonly val: Val;
}

function params(prefix: string, width: number): Params {
  const n = limbsOf(width);
  const names = Array.from({ length: n }, (_, j) => `${prefix}${j}`);
  return { names, val: n === 1 ? N(J.id(names[0]!)) : W(names.map((x) => J.id(x))) };
}

function build<T>(sp: Specializer, names: readonly string[], body: string, rt: Runtime): T {
  const source = `${PROLOGUE}\nreturn function (${names.join(", ")}) {\n  let pcw = false${sp.temps.length ? ", " + sp.temps.join(", ") : ""};\n${body}\n};`;
  const f = (new Function("rt", source) as (rt: Runtime) => T)(rt);
  Object.defineProperty(f, "source", { value: source });
  return f;
}

/** translate(va, FETCH) as a function of va's limbs; returns the physical address. */
export function compileFetchTranslate(isa: IR.Isa, layout: RegisterLayout, options: Omit<SpecializeOptions, "journal">, rt: Runtime): (...va: number[]) => number {
  const sp = new Specializer(isa, layout, { ...options, journal: false }, [], "f");
  sp.site = site(0, PHASE.fetch);
  const va = params("va", isa.vaddrWidth);
  const pa = sp.translate(va.val, IR.ACCESS.FETCH);
  if (sp.reachable) sp.emit(J.ret(num(pa)));
  return build(sp, va.names, printStmts(sp.out, "  "), rt);
}

/** The trap entry as a function of (code, info limbs..., nextPc limbs...). */
export function compileTrapEntry(isa: IR.Isa, layout: RegisterLayout, options: Omit<SpecializeOptions, "journal">, rt: Runtime, stmtTable: IR.Stmt[]): (...args: number[]) => void {
  const sp = new Specializer(isa, layout, { ...options, journal: true }, stmtTable, "e");
  sp.site = site(0, PHASE.call);
  sp.pc = null;
  const entry = isa.trapEntry;
  const code = params("c", entry.causeWidth);
  const info = params("i", entry.infoWidth ?? 1);
  const next = params("n", isa.state[isa.pc]!.width);
  sp.nextPc = next.val;
  const args = entry.infoWidth === null ? [code.val] : [code.val, info.val];
  sp.callFunction(entry.fn, args);
  return build(sp, [...code.names, ...info.names, ...next.names], printStmts(sp.out, "  "), rt);
}

export { C };
