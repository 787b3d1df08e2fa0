/**
 * A block's mode: the control registers a block is specialized to, like QEMU's per-TB CPU flags.
 * These are the registers that translate and the tick read (and the privilege register) when few
 * instructions write them (RISC-V's priv, mstatus, satp, mie, ...; not ARM's CPSR, which every
 * flag-setting instruction writes). A block translated with their current values folds every test
 * on them (translate becomes the identity in M-mode, an interrupt check on mie = 0 disappears) and
 * checks at entry that they still hold those values.
 *
 * The tick's counters (`c = c + k` at the tick's top level, like mcycle, minstret, mtime, TSC) are
 * the other half: when the rest of the tick has no effect in the block's mode (no trap, no write),
 * a block skips its ticks and the engine adds n * k to each counter after the block ran n of them.
 */
import * as IR from "../ir/ir.js";
import { bodyFootprint } from "../ir/footprint.js";
import { J, printStmts, type JStmt } from "./js.js";
import { topMask, type RegisterLayout } from "./layout.js";

/** A tick counter: `element = element + step` (mod 2^width) on every tick. */
export interface Counter {
  readonly element: number;
  /** Added on every tick (negative: subtracted), less than 2^32 in magnitude. */
  readonly step: number;
}

export interface ModePlan {
  /** Register slots a block may be specialized to (sorted). */
  readonly slots: readonly number[];
  readonly counters: readonly Counter[];
  /** Slots of the counters. */
  readonly counterSlots: ReadonlySet<number>;
  /** The tick without its counter statements (null: no tick). */
  readonly tickRest: readonly IR.Stmt[] | null;
  /** Slots the tick or translate may write (their compiled helpers, when called, forget these). */
  readonly helperWrites: readonly number[];
  /** Slots the tick or translate may read (written back to R before their compiled helpers run, see registers.ts). */
  readonly helperReads: readonly number[];
}

/** Instructions writing an element more often than this share are not assumed (they would end blocks). */
const HOT_SHARE = 0.25;

function counterOf(s: IR.Stmt): Counter | null {
  if (s.kind !== "setReg" || s.value.kind !== "binary") return null;
  const { op, left, right } = s.value;
  if ((op !== "add" && op !== "sub") || left.kind !== "reg" || left.element !== s.element || right.kind !== "const") return null;
  if (right.value === 0n || right.value >= 2n ** 32n) return null;
  return { element: s.element, step: op === "add" ? Number(right.value) : -Number(right.value) };
}

function slotsOf(layout: RegisterLayout, isa: IR.Isa, el: number): number[] {
  const n = layout.limbs[el]! * (isa.state[el]!.count ?? 1);
  return Array.from({ length: n }, (_, j) => layout.offset[el]! + j);
}

const plans = new WeakMap<IR.Isa, ModePlan>();

/** The mode plan of an ISA (computed once per ISA; layout is the ISA's layoutOf). */
export function modePlan(isa: IR.Isa, layout: RegisterLayout): ModePlan {
  let p = plans.get(isa);
  if (!p) plans.set(isa, (p = planOf(isa, layout)));
  return p;
}

function planOf(isa: IR.Isa, layout: RegisterLayout): ModePlan {
  const counters: Counter[] = [];
  let tickRest: IR.Stmt[] | null = null;
  if (isa.tick !== null) {
    tickRest = [];
    for (const s of isa.functions[isa.tick]!.body) {
      const c = counterOf(s);
      if (c && !counters.some((k) => k.element === c.element)) counters.push(c);
      else tickRest.push(s);
    }
  }
  const counterEls = new Set(counters.map((c) => c.element));
  const candidates = new Set<number>();
  const add = (reads: ReadonlySet<number>) => reads.forEach((el) => candidates.add(el));
  if (isa.translate !== null) add(bodyFootprint(isa, isa.functions[isa.translate]!.body).reads);
  if (tickRest) add(bodyFootprint(isa, tickRest).reads);
  add(bodyFootprint(isa, [{ kind: "if", cond: isa.privilege.element, then: [], else: [], span: isa.privilege.span }]).reads);
  const writers = new Map<number, number>();
  for (const ins of isa.instructions) for (const el of bodyFootprint(isa, ins.body).writes) writers.set(el, (writers.get(el) ?? 0) + 1);
  const slots: number[] = [];
  for (const el of [...candidates].sort((a, b) => a - b)) {
    const e = isa.state[el]!;
    if (el === isa.pc || e.count !== null || counterEls.has(el)) continue;
    if ((writers.get(el) ?? 0) > HOT_SHARE * isa.instructions.length) continue;
    slots.push(...slotsOf(layout, isa, el));
  }
  const counterSlots = new Set(counters.flatMap((c) => slotsOf(layout, isa, c.element)));
  const helperEls = new Set<number>();
  if (isa.tick !== null) bodyFootprint(isa, isa.functions[isa.tick]!.body).writes.forEach((el) => helperEls.add(el));
  if (isa.translate !== null) bodyFootprint(isa, isa.functions[isa.translate]!.body).writes.forEach((el) => helperEls.add(el));
  const helperWrites = [...helperEls].flatMap((el) => slotsOf(layout, isa, el));
  const readEls = new Set<number>([isa.pc]);
  if (isa.tick !== null) bodyFootprint(isa, isa.functions[isa.tick]!.body).reads.forEach((el) => readEls.add(el));
  if (isa.translate !== null) bodyFootprint(isa, isa.functions[isa.translate]!.body).reads.forEach((el) => readEls.add(el));
  const helperReads = [...readEls].flatMap((el) => slotsOf(layout, isa, el));
  return { slots, counters, counterSlots, tickRest, helperWrites, helperReads };
}

/**
 * Compiles `addTicks(n)`: each counter advanced by n steps, on its 32-bit limbs (carries and borrows
 * propagated, the top limb masked to the width), with no BigInt.
 */
export function compileAddTicks(plan: ModePlan, isa: IR.Isa, layout: RegisterLayout, R: Uint32Array): (n: number) => void {
  const Rj = J.id("R");
  const v = J.id("v");
  const body: JStmt[] = [];
  for (const c of plan.counters) {
    const w = isa.state[c.element]!.width;
    const at = layout.offset[c.element]!;
    const L = layout.limbs[c.element]!;
    const slot = (j: number) => J.index(Rj, J.num(at + j));
    const masked = (j: number) => (j === L - 1 && topMask(w) !== 0xffffffff ? J.bin("&", v, J.num(topMask(w))) : J.bin(">>>", v, J.num(0)));
    const up = c.step > 0;
    // Limb j gets v (its old value plus the carry, or minus the borrow, from limb j - 1).
    const limb = (j: number): JStmt[] => {
      const carry = up ? J.call(J.member(J.id("Math"), "floor"), J.bin("/", v, J.num(0x100000000))) : J.call(J.member(J.id("Math"), "ceil"), J.bin("/", J.un("-", v), J.num(0x100000000)));
      const next: JStmt[] = j + 1 < L ? [J.if(up ? J.bin(">", v, J.num(0xffffffff)) : J.bin("<", v, J.num(0)), [J.assign(v, J.bin(up ? "+" : "-", slot(j + 1), carry)), ...limb(j + 1)])] : [];
      return [J.assign(slot(j), masked(j)), ...next];
    };
    body.push(J.assign(v, J.bin(up ? "+" : "-", slot(0), J.bin("*", J.id("n"), J.num(Math.abs(c.step))))), ...limb(0));
  }
  const text = `return function addTicks(n) {\n  let v;\n${printStmts(body, "  ")}\n};`;
  return (new Function("R", text) as (R: Uint32Array) => (n: number) => void)(R);
}
