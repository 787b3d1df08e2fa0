/**
 * Verdicts shared between guest configurations that an instruction cannot tell apart. Two
 * configurations of one ISA with the same guest level whose requirements differ only on registers
 * the instruction never reads or writes (not in its semantics, the functions they call, translate,
 * the privilege mode or a banked register's selector) ask it the same questions: a requirement on
 * state a run never touches adds a constraint on variables no other constraint mentions, which
 * changes no answer, and a witness run from a state meeting one configuration runs the same from the
 * state with those registers set to meet the other. x86's two configurations differ in CR4, which
 * eight of its 58 instructions touch; the other fifty (the far transfers and descriptor
 * instructions among them, most of x86's analysis time) are analysed once.
 *
 * The key is the verdict cache's (everything a verdict depends on) with the configuration's
 * unobserved requirements left out, so an identical instruction of another spec in the same run
 * shares too, as it would share a cache entry.
 *
 * Only requirements of the form `register == constant` or `register.field == constant` are left out
 * of the comparison (what a witness is moved by: the constant written there); any other is kept.
 */
import { fieldMask, withBits } from "../ir/bitops.js";
import { bodyFootprint, exprFootprint, functionFootprint } from "../ir/footprint.js";
import * as IR from "../ir/ir.js";
import { verdictKey } from "./cache.js";
import type { InstructionVerdict, Witness, WitnessState } from "./classify.js";
import { hexOf } from "./compare.js";

/** A requirement the instruction cannot observe: a constant written into bits of one register. */
interface Unobserved {
  readonly element: number;
  readonly hi: number;
  readonly lo: number;
  readonly value: bigint;
}

/** One per run over several configurations (popek check, the bench, the test setup). */
export class SharedVerdicts {
  private readonly byKey = new Map<string, Promise<InstructionVerdict>>();

  /**
   * The verdict of a configuration this instruction cannot tell from `config`, moved to `config`
   * (each witness state given this configuration's values in the registers the instruction does
   * not observe), once it is known (shared: true); otherwise `solve`'s, which later callers share.
   */
  share(isa: IR.Isa, config: IR.GuestConfig, instr: IR.Instruction, options: object, solve: () => Promise<InstructionVerdict>): { verdict: Promise<InstructionVerdict>; shared: boolean } {
    const split = splitRequirements(isa, config, instr);
    if (!split) return { verdict: solve(), shared: false };
    const key = verdictKey(isa, { ...config, requires: split.kept }, instr, options);
    const known = this.byKey.get(key);
    if (known) return { verdict: known.then((v) => moveVerdict(isa, instr, v, split.unobserved)), shared: true };
    const verdict = solve();
    this.byKey.set(key, verdict);
    return { verdict, shared: false };
  }
}

/**
 * The configuration's requirements the instruction may observe (kept, in a canonical order) and
 * those it cannot (moved); null if one it cannot observe is not of the movable form.
 */
export function splitRequirements(isa: IR.Isa, config: IR.GuestConfig, instr: IR.Instruction): { kept: IR.Expr[]; unobserved: Unobserved[] } | null {
  const observed = observedElements(isa, instr);
  const kept: IR.Expr[] = [];
  const unobserved: Unobserved[] = [];
  for (const r of config.requires) {
    const reads = exprFootprint(isa, [r]).reads;
    if ([...reads].some((id) => observed.has(id))) {
      kept.push(r);
      continue;
    }
    const moved = movable(r);
    if (!moved) return null;
    unobserved.push(moved);
  }
  // Two that set the same bit differently leave the configuration without guest states: not moved.
  for (const [i, x] of unobserved.entries()) {
    for (const y of unobserved.slice(i + 1)) {
      if (x.element !== y.element) continue;
      const both = fieldMask(x.hi, x.lo) & fieldMask(y.hi, y.lo);
      if (((x.value << BigInt(x.lo)) & both) !== ((y.value << BigInt(y.lo)) & both)) return null;
    }
  }
  kept.sort((x, y) => (keyOf(x) < keyOf(y) ? -1 : keyOf(x) > keyOf(y) ? 1 : 0));
  return { kept, unobserved };
}

/** Every register the instruction's run can read or write, or that decides its mode or banks. */
function observedElements(isa: IR.Isa, instr: IR.Instruction): Set<number> {
  const out = new Set<number>();
  const add = (fp: { reads: ReadonlySet<number>; writes: ReadonlySet<number> }) => {
    for (const id of fp.reads) out.add(id);
    for (const id of fp.writes) out.add(id);
  };
  add(bodyFootprint(isa, instr.body));
  // The fetch translates the PC whether or not the body accesses memory.
  if (isa.translate !== null) add(functionFootprint(isa, isa.translate));
  add(exprFootprint(isa, [isa.privilege.element, ...isa.banked.map((b) => b.selector)]));
  return out;
}

function movable(r: IR.Expr): Unobserved | null {
  if (r.kind !== "binary" || r.op !== "eq" || r.right.kind !== "const") return null;
  const t = r.left;
  if (t.kind === "reg") return { element: t.element, hi: t.width - 1, lo: 0, value: r.right.value };
  if (t.kind === "slice" && t.value.kind === "reg") return { element: t.value.element, hi: t.hi, lo: t.lo, value: r.right.value };
  return null;
}

/** The verdict with every witness state meeting these requirements (and the differences that named those registers updated). */
function moveVerdict(isa: IR.Isa, instr: IR.Instruction, v: InstructionVerdict, moves: readonly Unobserved[]): InstructionVerdict {
  const names = new Map(moves.map((m) => [isa.state[m.element]!.name, m] as const));
  const set = (name: string, hex: string): string => {
    const m = names.get(name);
    if (!m) return hex;
    return hexOf(withBits(BigInt(hex), m.hi, m.lo, m.value));
  };
  const state = (s: WitnessState): WitnessState => ({
    ...s,
    registers: Object.fromEntries(Object.entries(s.registers).map(([k, x]) => [k, set(k, x)])),
  });
  const witness = (w: Witness): Witness => ({
    ...w,
    states: w.states.map(state),
    // "initial CR4" of a location pair: both values moved; gone if they are now the same.
    differences: w.differences.flatMap((d) => {
      const name = /^initial (.+)$/.exec(d.what)?.[1];
      if (!name || !names.has(name)) return [d];
      const a = set(name, d.a);
      const b = set(name, d.b);
      return a === b ? [] : [{ ...d, a, b }];
    }),
  });
  // This spec's instruction (its source location): the key also matches an identical instruction of
  // another spec (pg.isa and pg-flawed.isa share all but one), as the verdict cache's does.
  return { ...v, instruction: instr, evidence: v.evidence.map(witness), ms: 0, queries: 0, units: 0, phases: { search: 0, solve: 0, witness: 0, build: 0 } };
}

function keyOf(e: IR.Expr): string {
  return JSON.stringify(e, (k, v) => (k === "span" ? undefined : typeof v === "bigint" ? `${v}n` : v));
}
