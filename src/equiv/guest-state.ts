/**
 * The guest's initial registers as plain values, and the two kinds of condition the spec puts on
 * them: the privilege level (the spec's privilege element, a register or a field of one) and the
 * configuration's `require`s, which the VMM establishes on the real machine and a guest state must
 * therefore satisfy too (a guest outside them is one the configuration does not promise to run).
 */
import type * as IR from "../ir/ir.js";
import type { MachineState } from "../machine/state.js";

/** regs[element][index] for every element of the spec, the PC included. */
export type Registers = readonly (readonly bigint[])[];

/** The register (or field of one) an expression reads, when it is that simple. */
function placeOf(e: IR.Expr): { element: number; hi: number; lo: number } | null {
  if (e.kind === "reg") return { element: e.element, hi: e.width - 1, lo: 0 };
  if (e.kind === "slice" && e.value.kind === "reg") return { element: e.value.element, hi: e.hi, lo: e.lo };
  return null;
}

/** Registers with the place an expression reads set to value. */
function assign(regs: bigint[][], target: IR.Expr, value: bigint, what: string): void {
  const p = placeOf(target);
  if (!p) throw new Error(`${what}: popek can only establish a register or a field of one`);
  const width = BigInt(p.hi - p.lo + 1);
  const mask = ((1n << width) - 1n) << BigInt(p.lo);
  const row = regs[p.element]!;
  row[0] = (row[0]! & ~mask) | ((value << BigInt(p.lo)) & mask);
}

/** Registers at the given privilege level (index into the spec's levels; `choice` picks among its values). */
export function atLevel(isa: IR.Isa, regs: Registers, level: number, choice = 0): bigint[][] {
  const out = regs.map((r) => [...r]);
  const values = isa.privilege.levels[level]!.values;
  assign(out, isa.privilege.element, values[choice % values.length]!, "the privilege element");
  return out;
}

/** Registers that satisfy the configuration's requirements (FIELD == VALUE, or a one-bit field != 0). */
export function withinConfig(config: IR.GuestConfig, regs: Registers): bigint[][] {
  const out = regs.map((r) => [...r]);
  for (const r of config.requires) {
    if (r.kind === "binary" && r.op === "eq" && r.right.kind === "const") assign(out, r.left, r.right.value, `require in '${config.name}'`);
    else if (r.kind === "binary" && r.op === "ne" && r.right.kind === "const" && r.right.value === 0n) assign(out, r.left, 1n, `require in '${config.name}'`);
    else throw new Error(`the configuration '${config.name}' has a requirement popek cannot establish; write it as FIELD == VALUE`);
  }
  return out;
}

/** The reset registers of the spec. */
export function resetRegisters(isa: IR.Isa): bigint[][] {
  return isa.state.map((e) => new Array<bigint>(e.count ?? 1).fill(e.reset));
}

/** Copies registers into a machine state (as they are: no journal). */
export function loadRegisters(state: MachineState, regs: Registers): void {
  regs.forEach((row, e) => (state.regs[e] = [...row]));
}

/** The privilege level a register set is at (index into the spec's levels), or -1. */
export function levelOf(isa: IR.Isa, regs: Registers): number {
  const p = placeOf(isa.privilege.element);
  if (!p) return -1;
  const v = (regs[p.element]![0]! >> BigInt(p.lo)) & ((1n << BigInt(p.hi - p.lo + 1)) - 1n);
  return isa.privilege.levels.findIndex((l) => l.values.includes(v));
}
