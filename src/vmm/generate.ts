/**
 * `popek vmm generate`: writes a VMM for one ISA and guest configuration, in the structure of
 * Popek & Goldberg's control program — a dispatcher entered on every trap, an allocator that owns
 * the resources, one interpreter routine per privileged instruction (and per problem instruction,
 * which the patcher makes trap) — plus the guest's own trap mechanism (reflection) and time.
 * Everything comes from the spec's IR and the analyzer's verdict; output is deterministic.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Analysis } from "../analysis/analyze.js";
import { bodyFootprint, functionFootprint } from "../ir/footprint.js";
import * as IR from "../ir/ir.js";
import { Compiler, functionName } from "./emit/compile.js";
import { commentText, printExpr, printFunction, printStmts, safeName, E, ident, type Stmt } from "./emit/ts.js";

/**
 * Whether an instruction's own semantics (its translation aside) read the privilege element or a
 * register the configuration constrains: then some of its forms may trap at the guest level and
 * complete above it, and a trap from it while the guest is virtually above the guest level must be
 * interpreted, not reflected (RISC-V's CSR instructions on supervisor CSRs).
 */
function readsPrivilegeState(isa: IR.Isa, config: IR.GuestConfig, instr: IR.Instruction): boolean {
  const watched = new Set<number>();
  const collect = (e: IR.Expr) => bodyFootprint(isa, [{ kind: "output", value: e, span: instr.span }]).reads.forEach((id) => watched.add(id));
  collect(isa.privilege.element);
  config.requires.forEach(collect);
  const reads = bodyFootprint(isa, instr.body, { followTranslate: false }).reads;
  return [...watched].some((id) => reads.has(id));
}

/** The elements that establishing the guest configuration changes: the privilege element's and each requirement's. */
function deprivilegedElements(isa: IR.Isa, config: IR.GuestConfig): number[] {
  const out = new Set<number>();
  const collect = (e: IR.Expr) => bodyFootprint(isa, [{ kind: "output", value: e, span: isa.trapEntry.span }]).reads.forEach((id) => out.add(id));
  collect(isa.privilege.element);
  config.requires.forEach(collect);
  return [...out].sort((a, b) => a - b);
}

/** Whether the spec's tick, run on the real (deprivileged) registers, does what it does on the guest's: it touches none of the registers the allocator changes. */
function tickIsNative(isa: IR.Isa, config: IR.GuestConfig): boolean {
  if (isa.tick === null) return true;
  const changed = new Set(deprivilegedElements(isa, config));
  const f = functionFootprint(isa, isa.tick);
  return ![...f.reads, ...f.writes].some((id) => changed.has(id));
}

/** The elements the spec's tick writes. */
function timingElements(isa: IR.Isa): Set<number> {
  return isa.tick === null ? new Set() : new Set(functionFootprint(isa, isa.tick).writes);
}

export interface GeneratedVmm {
  /** File name → contents. */
  readonly files: ReadonlyMap<string, string>;
  /** Instructions with an interpreter routine, and why. */
  readonly routines: readonly { readonly name: string; readonly reason: "privileged" | "problem" | "guarded" }[];
}

/** Where a spec line is, for comments pointing back at it. */
function at(span: { file: string; line: number }): string {
  return `${span.file}:${span.line}`;
}

/** A source file of popek's that generated VMMs use as they are (contract.ts, bitops.ts). */
function supportFile(name: string): string {
  const text = readFileSync(join(packageRoot(), "src", name), "utf8");
  return `// Copied by popek vmm generate from src/${name} — do not edit.\n${text}`;
}

/** popek's package directory, whether this module runs from src/ (tests) or dist/src/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("internal: popek's package.json not found");
    dir = up;
  }
  return dir;
}

/** The guest's privilege level index, as generated code computes it from a state. */
function levelFunction(isa: IR.Isa, compiler: Compiler): string {
  const value = printExpr(compiler.expr(isa.privilege.element));
  const cases = isa.privilege.levels
    .map((l, i) => `  if (${l.values.map((v) => `m === ${printExpr(E.big(v))}`).join(" || ") || "false"}) return ${i}; // ${commentText(l.name)}`)
    .join("\n");
  return `/** The privilege level a state is at: 0 is the most privileged (${isa.privilege.levels.map((l) => commentText(l.name)).join(" > ")}). */
export function level(s: State): number {
  const m = ${value};
${cases}
  return -1;
}`;
}

/** The storage element a banked register selects in a state. */
function bankFunction(isa: IR.Isa, bank: IR.BankedRegister, compiler: Compiler): string {
  const dflt = bank.banks.find((b) => b.values === null) ?? bank.banks[bank.banks.length - 1]!;
  const cases = bank.banks
    .filter((b) => b !== dflt && b.values !== null && b.values.length > 0)
    .map((b) => `  if (${b.values!.map((v) => `sel === ${printExpr(E.big(v))}`).join(" || ")}) return reg.${safeName(isa.state[b.element]!.name)};`)
    .join("\n");
  return `/** The storage of the banked register ${commentText(bank.name)} that a state selects. */
function bank_${safeName(bank.name)}(s: State): number {
  const sel = ${printExpr(compiler.expr(bank.selector))};
${cases}
  return reg.${safeName(isa.state[dflt.element]!.name)};
}`;
}

/** Statements that put the real machine in the guest configuration: guest level, and each requirement. */
function establishConfig(isa: IR.Isa, config: IR.GuestConfig, compiler: Compiler): Stmt[] {
  const out: Stmt[] = [];
  const assign = (target: IR.Expr, value: bigint, why: string): void => {
    const write = (element: number, hi: number, lo: number) => {
      const el = isa.state[element]!;
      const regRef = E.member(ident("reg"), safeName(el.name));
      const keep = ((1n << BigInt(el.width)) - 1n) ^ (((1n << BigInt(hi - lo + 1)) - 1n) << BigInt(lo));
      const current = E.call(E.member(ident("real"), "reg"), regRef, E.num(0));
      const merged = E.bin("|", E.bin("&", current, E.big(keep)), E.big(value << BigInt(lo)));
      out.push({ kind: "comment", text: why });
      out.push({ kind: "expr", expr: E.call(E.member(ident("real"), "setReg"), regRef, E.num(0), merged) });
    };
    if (target.kind === "reg") write(target.element, target.width - 1, 0);
    else if (target.kind === "slice" && target.value.kind === "reg") write(target.value.element, target.hi, target.lo);
    else throw new Error(`the guest configuration '${config.name}' requires a condition popek cannot establish; write it as FIELD == VALUE`);
  };
  const level = isa.privilege.levels[config.guestLevel]!;
  assign(isa.privilege.element, level.values[0]!, `run at the guest level '${level.name}'`);
  for (const r of config.requires) {
    if (r.kind === "binary" && r.op === "eq" && r.right.kind === "const") assign(r.left, r.right.value, `require ${printExpr(compiler.expr(r))}`);
    else if (r.kind === "binary" && r.op === "ne" && r.right.kind === "const" && r.right.value === 0n && IR.widthOf(r.left) === 1) assign(r.left, 1n, "require the bit set");
    else throw new Error(`the guest configuration '${config.name}' has a requirement popek cannot establish; write it as FIELD == VALUE`);
  }
  return out;
}

export function generateVmm(analysis: Analysis): GeneratedVmm {
  const { isa, config } = analysis;
  const compiler = new Compiler(isa);
  const routines = analysis.instructions
    .filter((v) => v.privileged === true || v.vmmProblem === true || readsPrivilegeState(isa, config, v.instruction))
    .map((v) => ({
      name: v.name,
      reason: v.privileged === true ? ("privileged" as const) : v.vmmProblem === true ? ("problem" as const) : ("guarded" as const),
      verdict: v,
    }));
  const { memory } = isa;
  const per = memory.fetchUnit / memory.unitWidth;
  void per;

  const parts: string[] = [];
  parts.push(`// Generated by popek vmm generate from ${at(isa.trapEntry.span).split(":")[0]} (ISA ${commentText(isa.name)}, configuration ${commentText(config.name)}) — do not edit.
// A VMM in the structure of Popek & Goldberg (1974): a dispatcher entered on every trap of the
// deprivileged guest, an allocator that owns the resources, and one interpreter routine per
// privileged instruction. Problem instructions (sensitive but not privileged) also get a routine:
// in patch mode the patcher replaces them with a trapping form and the dispatcher interprets them.

import { Halt, Trap, type Ctx, type Operands, type Routine, type State, type TrapEvent } from "./contract.js";
import { ashr, lshr, rol, ror, sdiv, sext, shl, srem, udiv, urem } from "./bitops.js";

/** State elements by name (indices into the machine's registers). */
export const reg = {
${isa.state.map((e) => `  ${safeName(e.name)}: ${e.id},`).join("\n")}
} as const;

/** Trap causes by name (ids), with their codes and whether they are memory traps. */
export const cause = {
${isa.causes.map((c) => `  ${safeName(c.name)}: ${c.id},`).join("\n")}
} as const;
const causeCode: readonly bigint[] = [${isa.causes.map((c) => printExpr(E.big(c.code))).join(", ")}];
const memoryCauses: ReadonlySet<number> = new Set([${isa.causes.filter((c) => c.isMemory).map((c) => c.id).join(", ")}]);

/** State elements the spec's tick writes: the guest's time, which the VMM keeps per VM. */
export const timing: readonly number[] = [${[...timingElements(isa)].join(", ")}];
/**
 * Whether the guest's time may run on the real machine: the tick reads none of the registers the
 * allocator changes to deprivilege the guest (${deprivilegedElements(isa, config).map((id) => commentText(isa.state[id]!.name)).join(", ") || "none"}), so it advances
 * the installed copy of the guest's time as it would the guest's own.
 */
export const TICK_NATIVE = ${tickIsNative(isa, config)};
/** The registers the allocator changes to deprivilege the guest: the real machine's differ from the guest's. */
export const DEPRIVILEGED: readonly number[] = [${deprivilegedElements(isa, config).join(", ")}];

/** The level a deprivileged guest runs at (index into the privilege levels, most privileged first). */
export const GUEST_LEVEL = ${config.guestLevel};
/** The cause raised by an undefined instruction: the patcher's trapping form raises it. */
export const UNDEFINED_CAUSE = cause.${safeName(isa.causes[isa.undefinedCause]!.name)};
`);

  // Memory through the guest's own translation.
  const { unitWidth, addrWidth, endian } = memory;
  parts.push(`// ---------------------------------------------------------------- guest memory

/** Reads units of guest-physical memory at pa (${endian}-endian ${unitWidth}-bit units). */
function loadPhys(s: State, pa: bigint, units: number): bigint {
  let v = 0n;
  for (let i = 0; i < units; i++) {
    const k = ${endian === "big" ? "i" : "units - 1 - i"};
    v = (v << ${unitWidth}n) | s.readUnit(BigInt.asUintN(${addrWidth}, pa + BigInt(k)));
  }
  return v;
}

function storePhys(s: State, pa: bigint, units: number, value: bigint): void {
  for (let i = 0; i < units; i++) {
    const k = ${endian === "big" ? "units - 1 - i" : "i"};
    s.writeUnit(BigInt.asUintN(${addrWidth}, pa + BigInt(k)), BigInt.asUintN(${unitWidth}, value >> BigInt(i * ${unitWidth})));
  }
}

/** Reads through the guest's own translation (${isa.translate === null ? "none: virtual = physical" : "its translate, on its virtual control state"}). */
function load(s: State, ctx: Ctx, va: bigint, units: number): bigint {
  return loadPhys(s, ${isa.translate === null ? "va" : "translate(s, ctx, va, 0n)"}, units);
}

function store(s: State, ctx: Ctx, va: bigint, units: number, value: bigint): void {
  storePhys(s, ${isa.translate === null ? "va" : "translate(s, ctx, va, 1n)"}, units, value);
}
${isa.translate === null ? `
/** The guest's translation: none (virtual = physical). */
export function translate(_s: State, _ctx: Ctx, va: bigint, _access: bigint): bigint {
  return va;
}
` : ""}`);

  // Every spec function: helpers, translate, the trap entry, tick.
  parts.push("// ---------------------------------------------------------------- the spec's functions");
  isa.functions.forEach((f, id) => {
    const role =
      id === isa.translate ? "The guest's address translation (the spec's translate), evaluated on its virtual control state."
      : id === isa.trapEntry.fn ? "The guest's trap mechanism (the spec's trap entry): reflection delivers its traps through it."
      : id === isa.tick ? "The guest's time (the spec's tick), advanced once per guest instruction on its virtual state."
      : `${f.name}: a helper of the spec.`;
    const decl = compiler.compileFunction(id, `${role} (${at(f.span)})`, id === isa.translate || id === isa.trapEntry.fn || id === isa.tick);
    if (id !== isa.translate) {
      parts.push(printFunction(decl));
      return;
    }
    parts.push(printFunction({ ...decl, name: "translateTables", exported: false }));
    parts.push(`/** The guest's translation: its table reads see memory as the instruction found it (a TLB). */
export function translate(s: State, ctx: Ctx, va: bigint, access: bigint): bigint {
  s.enterTranslation();
  try {
    return translateTables(s, ctx, va, access);
  } finally {
    s.leaveTranslation();
  }
}`);
  });

  parts.push(`// ---------------------------------------------------------------- interpreter routines
${levelFunction(isa, compiler)}
`);
  for (const r of routines) {
    const instr = isa.instructions.find((i) => i.name === r.name)!;
    const why = r.reason === "privileged"
      ? "privileged: traps at the guest level, so the dispatcher interprets it on the virtual state"
      : r.reason === "problem"
        ? "sensitive but not privileged (a Theorem 1 problem): the patcher replaces it with a trapping form"
        : "its traps depend on the privilege level (some forms trap at the guest level only), so a trap from it above the guest level is interpreted";
    parts.push(printFunction(compiler.compileInstruction(instr, `emulate_${safeName(instr.name)}`, `${instr.name}${instr.title ? ` — ${instr.title}` : ""}. ${why}. (${at(instr.span)})`)));
  }
  parts.push(`/** Interpreter routines by instruction name. */
export const routines: ReadonlyMap<string, Routine> = new Map<string, Routine>([
${routines.map((r) => `  [${JSON.stringify(r.name)}, emulate_${safeName(r.name)}],`).join("\n")}
]);

/** Problem instructions: the patcher replaces these in guest code. */
export const problems: ReadonlySet<string> = new Set([${routines.filter((r) => r.reason === "problem").map((r) => JSON.stringify(r.name)).join(", ")}]);
`);

  // Dispatcher and reflection.
  const entryArgs = isa.trapEntry.infoWidth === null ? "causeCode[code]!" : `causeCode[code]!, BigInt.asUintN(${isa.trapEntry.infoWidth}, info)`;
  parts.push(`// ---------------------------------------------------------------- dispatcher

/** What a VMM needs of one VM: its virtual state, patch table and counters. */
export interface Vm {
  /** The guest's virtual machine state (registers and guest-physical memory). */
  readonly state: State;
  /** The original instruction at a patched address, if the patcher replaced one there. */
  patchedAt(pc: bigint): { readonly instruction: string; readonly operands: Operands; readonly nextPc: bigint } | undefined;
  /** Counts an event for the statistics. */
  note(event: "emulated" | "reflected", detail: string): void;
}

export type Outcome = "resume" | "halted";

/**
 * Entered on every trap of the deprivileged guest. A patched problem instruction or a privileged
 * instruction the guest may execute (its virtual level is above the guest level) is interpreted on
 * the virtual state; every other trap is one the guest takes on the bare machine too, and is
 * reflected through its own trap mechanism.
 */
export function dispatch(vm: Vm, t: TrapEvent): Outcome {
  const patched = t.fromTick ? undefined : vm.patchedAt(t.pc);
  if (patched && t.cause === UNDEFINED_CAUSE) return emulate(vm, patched.instruction, patched.operands, patched.nextPc);
  if (t.instruction !== null && !t.fromTick && !memoryCauses.has(t.cause) && level(vm.state) < GUEST_LEVEL && routines.has(t.instruction)) {
    return emulate(vm, t.instruction, t.operands, t.nextPc);
  }
  return reflect(vm, t.cause, t.info, t.nextPc);
}

/** Runs an interpreter routine on the virtual state; a trap it raises is the guest's, and is reflected. */
export function emulate(vm: Vm, instruction: string, op: Operands, nextPc: bigint): Outcome {
  const routine = routines.get(instruction)!;
  const s = vm.state;
  const ctx: Ctx = { nextPc, pcWritten: false };
  s.begin();
  try {
    routine(s, ctx, op);
    if (!ctx.pcWritten) s.setReg(reg.${safeName(isa.state[isa.pc]!.name)}, 0, nextPc);
    s.commit();
    vm.note("emulated", instruction);
    return "resume";
  } catch (e) {
    if (e instanceof Halt) {
      s.commit();
      vm.note("emulated", instruction);
      return "halted";
    }
    s.rollback();
    if (e instanceof Trap) return reflect(vm, e.cause, e.info, nextPc);
    throw e;
  }
}

/** Delivers a trap to the guest through its own trap mechanism, on its virtual state. */
export function reflect(vm: Vm, code: number, info: bigint, nextPc: bigint): Outcome {
  const s = vm.state;
  s.begin();
  try {
    trapEntry(s, { nextPc, pcWritten: false }, ${entryArgs});
    s.commit();
    vm.note("reflected", ${isa.causes.length ? "causeName[code]!" : "String(code)"});
    return "resume";
  } catch (e) {
    s.commit();
    if (e instanceof Halt) return "halted";
    throw e;
  }
}

const causeName: readonly string[] = [${isa.causes.map((c) => JSON.stringify(c.name)).join(", ")}];
`);

  // Allocator.
  const userElements = isa.state.filter((e) => e.role === "user" && e.bankOf === null);
  const banks = isa.banked.filter((b) => b.role === "user");
  const copy = (e: IR.StateElement, from: string, to: string) =>
    `    for (let i = 0; i < ${e.count ?? 1}; i++) ${to}.setReg(reg.${safeName(e.name)}, i, ${from}.reg(reg.${safeName(e.name)}, i));`;
  parts.push(`// ---------------------------------------------------------------- allocator
${banks.map((b) => bankFunction(isa, b, compiler)).join("\n\n")}

/**
 * Owns the resources. Each VM gets guest-physical memory of its own (never shared between VMs) and
 * its own time; a guest changes its resources only through privileged instructions, which trap to
 * the dispatcher, so the allocator decides what the real machine runs with: the guest's state, at
 * the guest level, under the configuration '${commentText(config.name)}'. (The real machine's
 * translation is the allocator's: the guest's own translation into its private memory.)
 */
export class Allocator {
  private readonly memories = new Map<number, Map<bigint, bigint>>();

  /** Memory for VM id: a fresh, private guest-physical address space. */
  memoryFor(id: number): Map<bigint, bigint> {
    let m = this.memories.get(id);
    if (!m) {
      m = new Map();
      this.memories.set(id, m);
    }
    return m;
  }

  /**
   * Before running a VM directly: the real machine gets the guest's registers, deprivileged to the
   * guest level, with each banked register the guest sees in the bank the real machine will use.
   */
  install(virtual: State, real: State): void {
${isa.state.filter((e) => e.bankOf === null).map((e) => copy(e, "virtual", "real")).join("\n")}
${printStmts(establishConfig(isa, config, compiler), "    ")}
${banks.map((b) => `    real.setReg(bank_${safeName(b.name)}(real), 0, virtual.reg(bank_${safeName(b.name)}(virtual), 0));`).join("\n")}
  }

  /** After a VM ran directly: what the guest changed of its own state goes back to its virtual state. */
  collect(real: State, virtual: State): void {
${userElements.map((e) => copy(e, "real", "virtual")).join("\n")}
${banks.map((b) => `    virtual.setReg(bank_${safeName(b.name)}(virtual), 0, real.reg(bank_${safeName(b.name)}(real), 0));`).join("\n")}
  }
}
`);
  void functionName;
  const vmm = parts.join("\n\n").replace(/\n{3,}/g, "\n\n");
  return {
    files: new Map([
      ["vmm.ts", vmm],
      ["contract.ts", supportFile("vmm/contract.ts")],
      ["bitops.ts", supportFile("ir/bitops.ts")],
    ]),
    routines: routines.map((r) => ({ name: r.name, reason: r.reason })),
  };
}
