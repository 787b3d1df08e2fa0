/**
 * Spec functions compiled once per machine and called from blocks or the engine: translate per
 * access kind (called instead of inlined when its code is large, like RISC-V's Sv32 walk), the
 * tick (likewise), and the trap entry (journaled: a trap raised inside it must leave no trace).
 * Each takes the trap site as its last argument, so a trap it raises names the calling instruction.
 */
import { containsKind } from "../ir/contains.js";
import * as IR from "../ir/ir.js";
import { J, printStmts } from "./js.js";
import { limbsOf, type RegisterLayout } from "./layout.js";
import { PHASE, site, type Runtime } from "./runtime.js";
import { PROLOGUE } from "./block.js";
import { Specializer, type SpecializeOptions, type TranslateHelpers } from "./specialize.js";
import { N, num, W, type Val } from "./values.js";

/** Specialized code longer than this (printed lines) is called, not inlined. */
const INLINE_LINES = 16;

interface Params {
  readonly names: string[];
  readonly val: Val;
}

function params(prefix: string, width: number): Params {
  const n = limbsOf(width);
  const names = Array.from({ length: n }, (_, j) => `${prefix}${j}`);
  return { names, val: n === 1 ? N(J.id(names[0]!)) : W(names.map((x) => J.id(x))) };
}

/** The source of a function of `names` whose body the specializer produced. */
function source(sp: Specializer, names: readonly string[]): string {
  const decls = ["pcw = false", "slow = false", ...sp.temps].join(", ");
  return `${PROLOGUE}\nreturn function (${names.join(", ")}) {\n  let ${decls};\n${printStmts(sp.out, "  ")}\n};`;
}

function build<T>(text: string, rt: Runtime): T {
  const f = (new Function("rt", text) as (rt: Runtime) => T)(rt);
  Object.defineProperty(f, "source", { value: text });
  return f;
}

type Options = Omit<SpecializeOptions, "journal">;

/**
 * Generated sources by ISA and key: every engine of an ISA specializes its helpers the same way
 * (the text does not depend on the engine), so the random-program campaigns, which make an engine
 * per program, specialize them once.
 */
const sources = new WeakMap<IR.Isa, Map<string, unknown>>();

function memo<T>(isa: IR.Isa, key: string, f: () => T): T {
  let m = sources.get(isa);
  if (!m) sources.set(isa, (m = new Map()));
  if (!m.has(key)) m.set(key, f());
  return m.get(key) as T;
}

function optionsKey(options: Options): string {
  return `${options.choose ? "c" : ""}${options.translateHook ? "x" : ""}`;
}

/** translate(va, access) specialized to one access kind, as (va limbs..., site) => pa. */
function translateSource(isa: IR.Isa, layout: RegisterLayout, options: Options, access: bigint, journal: boolean): { text: string; lines: number } {
  return memo(isa, `translate/${access}/${journal}/${optionsKey(options)}`, () => translateSourceOf(isa, layout, options, access, journal));
}

function translateSourceOf(isa: IR.Isa, layout: RegisterLayout, options: Options, access: bigint, journal: boolean): { text: string; lines: number } {
  const sp = new Specializer(isa, layout, { ...options, journal }, [], "x");
  sp.siteVar = "site";
  // The fetch variant also runs on a memory that counts its reads (see Engine): no fast paths.
  sp.inlineMemory = false;
  const va = params("va", isa.vaddrWidth);
  const pa = sp.translate(va.val, access);
  if (sp.reachable) sp.emit(J.ret(num(pa)));
  return { text: source(sp, [...va.names, "site"]), lines: printStmts(sp.out).split("\n").length };
}


export interface Helpers {
  readonly names: TranslateHelpers;
  /** The functions to bind on the runtime, by name. */
  readonly functions: Record<string, unknown>;
  /** translate(va, FETCH) for translating blocks: (va limbs..., site) => pa. */
  readonly fetch: (...args: number[]) => number;
}

/**
 * Compiles the translate helpers; `counting` is a runtime whose memory counts reads (used by the
 * fetch translation done while translating a block).
 */
export function compileHelpers(isa: IR.Isa, layout: RegisterLayout, options: Options, rt: Runtime, counting: Runtime): Helpers {
  const functions: Record<string, unknown> = {};
  const fetchSrc = translateSource(isa, layout, options, IR.ACCESS.FETCH, false);
  const pick = (name: string, access: bigint, journal: boolean): string | null => {
    if (options.translateHook || isa.translate === null) return null;
    const s = translateSource(isa, layout, options, access, journal);
    if (s.lines <= INLINE_LINES) return null;
    functions[name] = build(s.text, rt);
    return name;
  };
  const names: TranslateHelpers = {
    read: pick("XR", IR.ACCESS.READ, false),
    write: pick("XW", IR.ACCESS.WRITE, false),
    fetch: pick("XF", IR.ACCESS.FETCH, false),
    readJournaled: pick("XRJ", IR.ACCESS.READ, true),
    writeJournaled: pick("XWJ", IR.ACCESS.WRITE, true),
    readsMemory: isa.translate !== null && containsKind(isa, isa.functions[isa.translate]!.body, "load"),
  };
  return { names, functions, fetch: build(fetchSrc.text, counting) };
}

/** The tick as (pc limbs..., site) => void, and whether it is small enough to inline instead. */
export function compileTick(isa: IR.Isa, layout: RegisterLayout, options: Options, helpers: TranslateHelpers, rt: Runtime): { fn: (...args: number[]) => void; inline: boolean } | null {
  if (isa.tick === null) return null;
  const t = memo(isa, `tick/${optionsKey(options)}/${JSON.stringify(helpers)}`, () => tickSource(isa, layout, options, helpers));
  return { fn: build(t.text, rt), inline: t.inline };
}

function tickSource(isa: IR.Isa, layout: RegisterLayout, options: Options, helpers: TranslateHelpers): { text: string; inline: boolean } {
  const sp = new Specializer(isa, layout, { ...options, journal: false }, [], "k");
  sp.siteVar = "site";
  sp.helpers = helpers;
  const pc = params("pc", isa.state[isa.pc]!.width);
  sp.pcParam = pc.val;
  sp.nextPc = pc.val;
  sp.body(isa.functions[isa.tick!]!.body, new Map());
  if (sp.writesPc) throw new Error("engine: a tick that writes the PC is not supported");
  const inline = printStmts(sp.out).split("\n").length <= INLINE_LINES;
  return { text: source(sp, [...pc.names, "site"]), inline };
}

/** The trap entry as a function of (code, info limbs..., nextPc limbs...). */
export function compileTrapEntry(isa: IR.Isa, layout: RegisterLayout, options: Options, helpers: TranslateHelpers, rt: Runtime, stmtTable: IR.Stmt[]): (...args: number[]) => void {
  // With the choose hook, the entry's `either` statements go into this engine's stmtTable: not shared.
  if (options.choose) return build(trapEntrySource(isa, layout, options, helpers, stmtTable), rt);
  return build(memo(isa, `entry/${optionsKey(options)}/${JSON.stringify(helpers)}`, () => trapEntrySource(isa, layout, options, helpers, [])), rt);
}

function trapEntrySource(isa: IR.Isa, layout: RegisterLayout, options: Options, helpers: TranslateHelpers, stmtTable: IR.Stmt[]): string {
  const sp = new Specializer(isa, layout, { ...options, journal: true }, stmtTable, "e");
  sp.site = site(0, PHASE.call);
  sp.pc = null;
  sp.helpers = helpers;
  const entry = isa.trapEntry;
  const code = params("c", entry.causeWidth);
  const info = params("i", entry.infoWidth ?? 1);
  const next = params("n", isa.state[isa.pc]!.width);
  sp.nextPc = next.val;
  const args = entry.infoWidth === null ? [code.val] : [code.val, info.val];
  sp.callFunction(entry.fn, args);
  return source(sp, [...code.names, ...info.names, ...next.names]);
}
