/**
 * Popek and Goldberg's equivalence property as an executable check on one guest case: the guest
 * ends under the VMM in the state it ends in on the bare machine, as the guest sees it - every
 * register (user, virtual mode and control state), its memory, its output, whether it halted, and
 * the trap it ended in. Timing alone may differ, and the two runs take the same number of steps.
 */
import { compareStates } from "../vmm/session.js";
import type { GuestCase } from "./arbitrary.js";
import type { GuestLayout } from "./layout.js";
import { formatEnding, imageOf, runBare, runGuest, sameEnding, type BareRun, type GuestRun, type VmmTarget } from "./run.js";

export type Checked =
  /** The case cannot be used: it cannot be laid out, or the bare machine itself stops with an error. */
  | { readonly kind: "unusable"; readonly reason: string }
  | { readonly kind: "equal"; readonly bare: BareRun }
  | { readonly kind: "diverged"; readonly bare: BareRun; readonly guest: GuestRun; readonly differences: readonly string[] };

export function checkEquivalence(target: VmmTarget, layout: GuestLayout, c: GuestCase): Checked {
  const image = imageOf(target.isa, layout, c);
  if (!image) return { kind: "unusable", reason: "a branch target out of its field's range" };
  const bare = runBare(target.isa, layout, c, image.units);
  if (bare.ending.kind === "error") return { kind: "unusable", reason: bare.ending.message };
  const guest = runGuest(target, layout, c, image.units, bare.steps);
  const differences: string[] = [];
  if (!sameEnding(bare.ending, guest.ending)) differences.push(`ended in: bare ${formatEnding(bare.ending)}, VM ${formatEnding(guest.ending)}`);
  if (guest.ending.kind !== "error") {
    differences.push(...compareStates(target.isa, bare.state, guest.vm.virtual, guest.vm.memory, bare.state.halted, guest.vm.halted));
  }
  return differences.length ? { kind: "diverged", bare, guest, differences } : { kind: "equal", bare };
}
