/**
 * A location pair presents the program the same memory at every virtual address (the definition),
 * not only at the addresses the instruction names: an instruction that changes the registers
 * translate reads and then loads reaches a unit the initial translation may present under another
 * name, and the view's links say nothing about it.
 */
import { afterAll, expect, test } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";
import { expectBruteForceAgreement } from "./agrees.js";

afterAll(async () => {
  await shutdownZ3();
});

// Regression (agreement campaign, seed 20261230, split test, case 263): translate is `a ^ R`; one
// branch flips R, then loads mem[f[0]] - in both states of a pair the unit the initial translation
// presents at f[0] ^ 1, the same contents. The loaded units were free in each run, so the solver
// reported a location pair (whose replay, comparing only the units named, agreed) that brute
// force, comparing every address, does not count.
const MOVED = "isa tiny \"random\";\nmemory E: bits(3)[2], little, fetch 3;\nregister M: bits(1) control;\nregister R: bits(1) control;\nregister C: bits(1) control;\nregister T: bits(1) control;\nregister X: bits(2) user;\nregister P: bits(1) user pc;\nprivilege M { sup = 0; usr = 1; }\ncause mem_fault = 0 memory;\ncause illegal = 1 undefined;\ncause priv = 2;\ncause svc = 3;\ntranslate(a: bits(1), access: bits(2)) -> bits(1) { return a ^ R; }\ntrap entry(code: bits(2)) { M = 0; }\ntick { T = T + 1; }\noperand any = [a, b, c, d];\ninstruction I {\n  encoding 1 f:2;\n  syntax \"i {f:any}\";\n  semantics {\n    if M == 1 && f[0] == 1 { trap priv; }\n    either {  } or {  }\n    either { if T == 1 { M = (zext(C, 2))[0]; halt; X = (if 0b11 != zext(C, 2) then f else zext(R, 2)); } else {  } if zext(P, 2) == zext(R, 2) { trap svc; R = (zext(C, 2))[0]; } else { C = (0b11)[0]; M = (zext(M, 2))[0]; } if mem[f[0]][1:0] != zext(C, 2) { X = (if X == 0 then X else mem[P][2:1]); } else { T = ((0b01 ^ 0b01))[0]; } } or { if f < mem[P][2:1] {  } else { trap priv; P = C; } either {  } or { R = ((zext(R, 2) ^ 0b01))[0]; } T = ((mem[f[0]][1:0] - zext(R, 2)))[0]; }\n    if f == mem[f[0]][1:0] {  } else { P = f[0]; }\n  }\n}\nconfig g { guest usr; require C == 0; }\n";

test("a load after the instruction moved its translation sees what the pair presents at the unit's other name: brute force agrees", async () => {
  for (const sampleTries of [0, 48]) for (const pairs of ["split", "adaptive"] as const) {
    await expectBruteForceAgreement(MOVED, { sampleTries, pairs });
  }
});

// The same question on an address space too large to list (256 addresses): one quantified claim.
const WIDE = "isa wide \"an instruction that moves its own translation, then loads\";\nmemory E: bits(4)[256], little, fetch 4;\nregister M: bits(1) control;\nregister R: bits(8) control;\nregister X: bits(4) user;\nregister P: bits(8) user pc;\nprivilege M { sup = 0; usr = 1; }\ncause illegal = 1 undefined;\ntranslate(a: bits(8), access: bits(2)) -> bits(8) { return a ^ R; }\ntrap entry(code: bits(2)) { M = 0; }\ninstruction I {\n  encoding 1 f:3;\n  syntax \"i {f}\";\n  semantics {\n    R = NEW;\n    X = mem[zext(f, 8)];\n  }\n}\nconfig g { guest usr; }\n";

async function classify(newR: string) {
  const isa = checkSpec(loadSpec("wide.isa", () => WIDE.replace("NEW", newR))).isa!;
  const a = await analyze(isa, isa.configs[0]!, { sampleTries: 48 });
  expect(a.internalErrors).toEqual([]);
  return a.instructions[0]!;
}

test("flipping a relocation bit and loading reads the unit the other state presents there too: not location sensitive", async () => {
  const i = await classify("R ^ 0b00000001");
  expect(i.locationSensitive).toBe(false);
  expect(i.controlSensitive).toBe(true);
});

test("clearing the relocation and loading reads a unit the pair need not agree on: location sensitive, and the witness replays", async () => {
  const i = await classify("0");
  expect(i.locationSensitive).toBe(true);
  expect(i.evidence.some((e) => e.claim === "location-sensitive" && e.replayed)).toBe(true);
});
