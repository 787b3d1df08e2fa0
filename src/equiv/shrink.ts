/**
 * Smaller versions of a failing guest case, for the fast-check shrinker (src/programs/shrink.ts):
 * fewer instructions first (halves, quarters, ... single ones, branch targets renumbered), then
 * registers back at reset one element at a time (kept within the configuration), then the data
 * area zeroed.
 */
import type * as IR from "../ir/ir.js";
import { removals } from "../programs/layout.js";
import { shrinkCase } from "../programs/shrink.js";
import type { GuestCase } from "./arbitrary.js";
import { withinConfig } from "./guest-state.js";

function* smaller(isa: IR.Isa, config: IR.GuestConfig, c: GuestCase): Generator<GuestCase> {
  for (const slots of removals(c.slots)) yield { ...c, slots };
  for (const e of isa.state) {
    if (e.isPc || c.regs[e.id]!.every((v) => v === e.reset)) continue;
    const regs = withinConfig(config, c.regs.map((r, k) => (k === e.id ? r.map(() => e.reset) : r)));
    // A requirement may put the element straight back: then it is as simple as it gets.
    if (regs[e.id]!.some((v, i) => v !== c.regs[e.id]![i])) yield { ...c, regs };
  }
  if (c.data.some((u) => u !== 0n)) yield { ...c, data: c.data.map(() => 0n) };
}

/** The smallest case that still fails, from one that does. */
export function shrinkGuestCase(isa: IR.Isa, config: IR.GuestConfig, found: GuestCase, fails: (c: GuestCase) => boolean, maxChecks = 600): GuestCase {
  return shrinkCase(found, (c) => smaller(isa, config, c), fails, maxChecks);
}
