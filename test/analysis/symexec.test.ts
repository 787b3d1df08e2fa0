/**
 * Symbolic execution: the shared view of a location pair through an access made with translate's
 * registers changed (ARM's unprivileged loads and stores), and translations built once per context.
 */
import { afterAll, expect, test } from "vitest";
import { freshState, runInstruction, symOperands } from "../../src/analysis/instance.js";
import { SharedView, SymRun, termId } from "../../src/analysis/symexec.js";
import { provedHere, shutdownZ3, withFreshZ3 } from "../../src/analysis/z3.js";
import { checkSpec } from "../../src/check/check.js";
import * as IR from "../../src/ir/ir.js";
import { loadSpec } from "../../src/syntax/load.js";
import { expectBruteForceAgreement } from "./agrees.js";

afterAll(async () => {
  await shutdownZ3();
});

const armv7 = checkSpec(loadSpec("isas/armv7.isa")).isa!;

/**
 * Runs both states of a location pair (b: a's user state, its own control state and memory) through
 * one view: whether each run's view lasted, and whether it stayed exact (every store placed with
 * the permission its cell's link assumes).
 */
async function viewsOfPair(isa: IR.Isa, name: string): Promise<{ a: boolean; b: boolean; exact: boolean }> {
  return withFreshZ3(async (Z) => {
    const instr = isa.instructions.find((i) => i.name === name)!;
    const ops = symOperands(Z, isa, instr, "op");
    const a = freshState(Z, isa, "a");
    const b = freshState(Z, isa, "b", a, { element: (e) => e.role === "user" || e.name === "CPSR" });
    const view = new SharedView(Z, isa, (claim) => provedHere(Z, claim, 200_000));
    const ra = runInstruction(Z, isa, instr, ops, a, "choice", view).run;
    const rb = runInstruction(Z, isa, instr, ops, b, "choice", view).run;
    return { a: ra.view !== null, b: rb.view !== null, exact: Boolean(ra.view?.exact && rb.view?.exact) };
  });
}

test("a store translated with the mode switched to User, to the same place, stays in the view (ARM's STRT)", async () => {
  // STRT sets CPSR.M to User around its store: the translation checks permission as User but puts
  // the unit where the initial state's translation does, so the view still names it. (Before, any
  // change to a register translate reads ended the view, and STRT's location questions took a
  // minute of solving instead of milliseconds.)
  // And User permission allows nothing PL1's forbids, which is proved: the view's terms stay exact.
  expect(await viewsOfPair(armv7, "STRT")).toEqual({ a: true, b: true, exact: true });
  expect(await viewsOfPair(armv7, "STR")).toEqual({ a: true, b: true, exact: true });
});

test("a store whose changed permission may allow what the initial one forbids leaves the view inexact", async () => {
  // The instruction clears M, and translate lets a write through only with M clear: the initial
  // state's permission, which guards the view's links, does not cover the store.
  const placed = tiny(0).replace("return a + (M & 0);", "return a;");
  const widen = checkSpec(loadSpec("widen.isa", () => placed.replace("    M = 1;", "    M = 0;"))).isa!;
  expect(await viewsOfPair(widen, "S")).toEqual({ a: true, b: true, exact: false });
  // The store with M set, as written: the permission narrows, which is proved, and the view stays exact.
  const narrow = checkSpec(loadSpec("narrow.isa", () => placed)).isa!;
  expect(await viewsOfPair(narrow, "S")).toEqual({ a: true, b: true, exact: true });
});

// The store is made with M set to 1; translate adds `M * SHIFT` to the address, so with SHIFT 0 the
// unit is where the initial state's translation puts it (only permission changes), with SHIFT 1 it
// moves. Both must agree with brute force.
const tiny = (shift: number) => `isa tiny "switch";
memory E: bits(2)[2], little, fetch 2;
register M: bits(1) control;
register K: bits(1) control;
register X: bits(2) user;
register P: bits(1) user pc;
privilege M { sup = 0; usr = 1; }
cause mem_fault = 0 memory;
cause illegal = 1 undefined;
translate(a: bits(1), access: bits(2)) -> bits(1) { if access == WRITE && M == 1 && K == 1 { trap mem_fault; } return a + (M & ${shift}); }
trap entry(code: bits(2)) { M = 0; }
instruction S {
  encoding 1 f:1;
  syntax "s {f}";
  semantics {
    let m: bits(1) = M;
    M = 1;
    mem[f] = X;
    M = m;
    X = mem[f];
  }
}
config g { guest usr; }
`;

for (const shift of [0, 1]) {
  test(`an access with translate's registers changed agrees with brute force (translation ${shift ? "moves" : "keeps"} the unit)`, async () => {
    await expectBruteForceAgreement(tiny(shift), { sampleTries: 0 });
  });
}

test("a translation is built once per context: probes of one address from one state give the very same term", async () => {
  await withFreshZ3(async (Z) => {
    const s = freshState(Z, armv7, "s");
    const va = Z.BitVec.const("va", 32);
    const first = new SymRun(Z, armv7, s).probeTranslate(va, IR.ACCESS.READ);
    const second = new SymRun(Z, armv7, s).probeTranslate(va, IR.ACCESS.READ);
    expect(second.pa).toBe(first.pa);
    expect(termId(second.ok)).toBe(termId(first.ok));
    // Another state is another translation.
    const other = new SymRun(Z, armv7, freshState(Z, armv7, "t")).probeTranslate(va, IR.ACCESS.READ);
    expect(termId(other.pa)).not.toBe(termId(first.pa));
  });
});
