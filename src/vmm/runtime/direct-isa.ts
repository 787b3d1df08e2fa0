/**
 * The machine a VM's guest runs on directly, as the engine compiles it: the spec itself, except that
 * its translate and tick see the guest's own values of the registers the allocator changes to
 * deprivilege it (its privilege level, the configuration's requirements). Those values live in
 * shadow registers appended to the state, which the executor fills from the virtual state before
 * each stretch of direct execution; every instruction still runs on the real, deprivileged ones.
 *
 * Why: the VMM's translation is the guest's own translation on its virtual control state, into its
 * private memory, and the guest's time is its tick on that state. Compiled into the engine's blocks
 * like any spec's translate and tick, they cost what they cost on the bare machine (the engine
 * specializes them to the mode, inlines the identity, folds a quiet tick into its step counting),
 * where calling back into the VMM on every access and every instruction costs many times more.
 *
 * It is the same function as the VMM's: the virtual control state cannot change while the guest runs
 * directly (every instruction that changes it traps to the VMM, or is patched), so the shadows hold
 * it for the whole run; the other registers translate and tick read are the guest's own, which the
 * allocator installed unchanged. Where that does not hold - translate or tick writes a register the
 * allocator changes, or reads a banked register's storage (the allocator moves banks) - there is no
 * direct ISA and the executor calls the VMM's functions instead.
 */
import { bodyFootprint } from "../../ir/footprint.js";
import type * as IR from "../../ir/ir.js";

export interface DirectIsa {
  readonly isa: IR.Isa;
  /** Shadow element of each register the rewritten functions read the guest's value of. */
  readonly shadows: ReadonlyMap<number, number>;
}

const cache = new WeakMap<IR.Isa, Map<string, DirectIsa | null>>();

/**
 * The direct ISA of a spec whose allocator changes `deprivileged` (computed once per spec and set,
 * so that every VM's engine shares its compiled helpers), or null when there is none.
 */
export function directIsa(isa: IR.Isa, deprivileged: readonly number[]): DirectIsa | null {
  let m = cache.get(isa);
  if (!m) cache.set(isa, (m = new Map()));
  const key = deprivileged.join(",");
  if (!m.has(key)) m.set(key, derive(isa, new Set(deprivileged)));
  return m.get(key)!;
}

function derive(isa: IR.Isa, deprivileged: ReadonlySet<number>): DirectIsa | null {
  const roots = [isa.translate, isa.tick].filter((f): f is number => f !== null);
  const reads = new Set<number>();
  for (const fn of roots) {
    const f = bodyFootprint(isa, isa.functions[fn]!.body, { followTranslate: false });
    if ([...f.writes].some((id) => deprivileged.has(id) || isa.state[id]!.bankOf !== null)) return null;
    if ([...f.reads].some((id) => isa.state[id]!.bankOf !== null)) return null;
    f.reads.forEach((id) => reads.add(id));
  }
  const shadowed = [...deprivileged].filter((id) => reads.has(id)).sort((a, b) => a - b);
  if (shadowed.length === 0) return { isa, shadows: new Map() };
  const state = [...isa.state];
  const shadows = new Map<number, number>();
  for (const id of shadowed) {
    const e = isa.state[id]!;
    const shadow: IR.StateElement = { ...e, id: state.length, name: `${e.name}'guest`, role: "control", isPc: false, bankOf: null };
    shadows.set(id, shadow.id);
    state.push(shadow);
  }
  // The functions translate and tick reach, copied with their register reads redirected.
  const functions = [...isa.functions];
  const copies = new Map<number, number>();
  const reachable = (fn: number): void => {
    if (copies.has(fn)) return;
    copies.set(fn, functions.length);
    functions.push(isa.functions[fn]!);
    visitCalls(isa.functions[fn]!.body, reachable);
  };
  roots.forEach(reachable);
  for (const [from, to] of copies) {
    const f = isa.functions[from]!;
    functions[to] = { ...f, id: to, name: `${f.name}'guest`, body: rewrite(f.body, shadows, copies) as readonly IR.Stmt[] };
  }
  const derived: IR.Isa = {
    ...isa,
    state,
    functions,
    translate: isa.translate === null ? null : copies.get(isa.translate)!,
    tick: isa.tick === null ? null : copies.get(isa.tick)!,
  };
  return { isa: derived, shadows };
}

/** Calls f with every function id the code calls. */
function visitCalls(x: unknown, f: (fn: number) => void): void {
  if (!x || typeof x !== "object") return;
  if (Array.isArray(x)) return x.forEach((y) => visitCalls(y, f));
  const o = x as { kind?: string; fn?: unknown };
  if (o.kind === "call" && typeof o.fn === "number") f(o.fn);
  for (const [k, v] of Object.entries(o)) if (k !== "span") visitCalls(v, f);
}

/** A copy of IR code with reads of shadowed registers and calls of copied functions redirected. */
function rewrite(x: unknown, shadows: ReadonlyMap<number, number>, copies: ReadonlyMap<number, number>): unknown {
  if (!x || typeof x !== "object") return x;
  if (Array.isArray(x)) return x.map((y) => rewrite(y, shadows, copies));
  const o = x as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = k === "span" ? v : rewrite(v, shadows, copies);
  if ((o.kind === "reg" || o.kind === "regFile") && shadows.has(o.element as number)) out.element = shadows.get(o.element as number);
  if (o.kind === "call" && typeof o.fn === "number" && copies.has(o.fn)) out.fn = copies.get(o.fn);
  return out;
}
