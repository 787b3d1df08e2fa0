/**
 * What differs between concrete runs, as the definitions count it (docs/analysis.md): control
 * state that an instruction changed; user-visible results of two runs (registers through the
 * current bank, the PC, memory at every unit either run wrote, read through each state's
 * translation from before); and whether two states present a program the same memory at the units
 * its runs touched (the same contents and the same sharing). Witness replay and concrete search
 * both judge runs with these.
 */
import type * as IR from "../ir/ir.js";
import type { MachineState } from "../machine/state.js";
import { controlState, translatorOf, visibleState, type ReplayOutcome } from "./replay.js";

export interface Difference {
  readonly what: string;
  readonly a: string;
  readonly b: string;
}

export const hexOf = (v: bigint) => `0x${v.toString(16)}`;

/** Control state one run changed, and whether it halted or did output. */
export function controlChanges(isa: IR.Isa, o: ReplayOutcome): Difference[] {
  const before = controlState(isa, o.initial);
  const after = controlState(isa, o.final);
  const out: Difference[] = [];
  for (const [k, v] of before) if (after.get(k) !== v) out.push({ what: k, a: hexOf(v), b: hexOf(after.get(k)!) });
  if (o.halted) out.push({ what: "halted", a: "no", b: "yes" });
  if (o.final.output.length > o.initial.output.length) out.push({ what: "output", a: "", b: o.final.output.slice(o.initial.output.length).map(hexOf).join(" ") });
  return out;
}

/** The user-visible results (registers by name, as visibleState names them) one run changed. */
export function changedResults(isa: IR.Isa, o: ReplayOutcome): string[] {
  const before = visibleState(isa, o.initial);
  const after = visibleState(isa, o.final);
  return [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
}

/** How the two initial states differ: control state and single user registers. */
export function initialDifferences(isa: IR.Isa, a: ReplayOutcome, b: ReplayOutcome): Difference[] {
  const out: Difference[] = [];
  const ca = controlState(isa, a.initial);
  const cb = controlState(isa, b.initial);
  for (const [k, v] of ca) if (cb.get(k) !== v) out.push({ what: `initial ${k}`, a: hexOf(v), b: hexOf(cb.get(k)!) });
  for (const e of isa.state) {
    if (e.role !== "user" || e.count !== null) continue;
    const x = a.initial.reg(e.id);
    const y = b.initial.reg(e.id);
    if (x !== y) out.push({ what: `initial ${e.name}`, a: hexOf(x), b: hexOf(y) });
  }
  return out;
}

/** The results two runs give as the program sees them. */
export function resultDifferences(isa: IR.Isa, a: ReplayOutcome, b: ReplayOutcome): Difference[] {
  const out: Difference[] = [];
  const va = visibleState(isa, a.final);
  const vb = visibleState(isa, b.final);
  for (const [k, v] of va) if (vb.get(k) !== v) out.push({ what: `result ${k}`, a: hexOf(v), b: hexOf(vb.get(k)!) });
  if (a.final.pc !== b.final.pc) out.push({ what: "result PC", a: hexOf(a.final.pc), b: hexOf(b.final.pc) });
  const [ta, tb] = [translatorOf(isa, a.initial), translatorOf(isa, b.initial)];
  for (const w of units([...a.units, ...b.units].filter((u) => u.kind === "write"))) {
    const pa = unitIn(isa, ta, w);
    const pb = unitIn(isa, tb, w);
    if (pa === null || pb === null) continue;
    const x = a.final.readUnit(pa);
    const y = b.final.readUnit(pb);
    const where = w.offset === 0 ? hexOf(w.va) : `${hexOf(w.va)}+${w.offset}`;
    if (x !== y) out.push({ what: `result memory at virtual ${where}`, a: hexOf(x), b: hexOf(y) });
  }
  return out;
}

/**
 * The two states present the program the same memory at every unit either run touched: the same
 * contents wherever both translate it, and a written unit shares its physical unit with another
 * touched one in both states or in neither. A run that read a unit its initial translation does not
 * put under the address it used (it changed translate's registers first) read memory the touched
 * units say nothing about: then the pair must present the same memory at every address, which is
 * checked where the address space can be listed (see presentation).
 */
export function samePresentation(isa: IR.Isa, a: ReplayOutcome, b: ReplayOutcome): boolean {
  return presentation(isa, a, b) === "same";
}

/**
 * Address spaces up to this many bits are listed whole when a pair's presentation must be known
 * everywhere; the analyzer's queries state the same (classify.ts, presentedEverywhere).
 */
export const LISTED_ADDRESS_BITS = 4;

/**
 * samePresentation, with "unconfirmed" for a pair that a moved read makes depend on memory at
 * every address of a space too large to list: the solver's quantified claim decides such a pair,
 * and a concrete search cannot claim it.
 */
export function presentation(isa: IR.Isa, a: ReplayOutcome, b: ReplayOutcome): "same" | "different" | "unconfirmed" {
  const touched = units([...a.units, ...b.units]);
  const [ta, tb] = [translatorOf(isa, a.initial), translatorOf(isa, b.initial)];
  const at = touched.map((u) => [unitIn(isa, ta, u), unitIn(isa, tb, u)] as const);
  /** Whether both states translate there and hold other contents. */
  const differAt = (pa: bigint | null, pb: bigint | null) => pa !== null && pb !== null && a.initial.readUnit(pa) !== b.initial.readUnit(pb);
  for (const [pa, pb] of at) if (differAt(pa, pb)) return "different";
  for (let i = 0; i < touched.length; i++) {
    const [wa, wb] = at[i]!;
    if (!touched[i]!.written || wa === null || wb === null) continue;
    for (let j = 0; j < touched.length; j++) {
      const [ua, ub] = at[j]!;
      if (i === j || ua === null || ub === null) continue;
      if ((wa === ua) !== (wb === ub)) return "different";
    }
  }
  if (!movedRead(isa, a, ta) && !movedRead(isa, b, tb)) return "same";
  if (isa.vaddrWidth > LISTED_ADDRESS_BITS) return "unconfirmed";
  for (let va = 0n; va < 1n << BigInt(isa.vaddrWidth); va++) if (differAt(ta(va), tb(va))) return "different";
  return "same";
}

/** Whether a run read a unit other than the one its initial translation puts at the address it used. */
function movedRead(isa: IR.Isa, o: ReplayOutcome, translate: (va: bigint) => bigint | null): boolean {
  return o.units.some((u) => u.kind === "read" && u.pa !== unitIn(isa, translate, u));
}

/** A unit of a virtual access: translate(va) + offset. */
export interface VirtualUnit {
  readonly kind: "read" | "write" | "fetch";
  readonly va: bigint;
  readonly offset: number;
  /** The physical unit the access reached (translated when it was made). */
  readonly pa: bigint;
}

/**
 * Units once each (in the order first touched), remembering whether any access to them wrote. Found
 * by address, then offset, and made field by field: a text key per unit (its address printed) and a
 * copy by spreading made this a twentieth of the concrete search (a microbenchmark of 12 units:
 * 21 µs a call, now 1.1 µs).
 */
function units(list: readonly VirtualUnit[]): (VirtualUnit & { written: boolean })[] {
  const out: (VirtualUnit & { written: boolean })[] = [];
  const byVa = new Map<bigint, (VirtualUnit & { written: boolean })[]>();
  for (const u of list) {
    let at = byVa.get(u.va);
    if (!at) byVa.set(u.va, (at = []));
    let known = null;
    for (const k of at) {
      if (k.offset === u.offset) {
        known = k;
        break;
      }
    }
    if (known) {
      if (u.kind === "write") known.written = true;
    } else {
      const unit = { kind: u.kind, va: u.va, offset: u.offset, pa: u.pa, written: u.kind === "write" };
      at.push(unit);
      out.push(unit);
    }
  }
  return out;
}

function unitIn(isa: IR.Isa, translate: (va: bigint) => bigint | null, u: VirtualUnit): bigint | null {
  const pa = translate(u.va);
  return pa === null ? null : BigInt.asUintN(isa.memory.addrWidth, pa + BigInt(u.offset));
}
