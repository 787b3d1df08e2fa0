/**
 * The classifier's relational questions against brute force on the random ISAs the agreement
 * campaign found them wrong on (each a regression: it failed before its fix).
 */
import { afterAll, test } from "vitest";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { expectBruteForceAgreement } from "./agrees.js";

afterAll(async () => {
  await shutdownZ3();
});

// Campaign seed 20261204 (split test), case 124. The instruction sets R, which translate reads, so
// its store to virtual 1 lands where virtual 0 was; the store to virtual 0 follows a halt and never
// happens. The two runs' results are compared at the units they wrote (compare.ts): virtual 1 only.
// The solver compared virtual 0 too, the store's guard left out, and "found" a location pair whose
// replay showed the same results.
const UNWRITTEN = "isa tiny \"random\";\nmemory E: bits(3)[2], little, fetch 3;\nregister M: bits(1) control;\nregister R: bits(1) control;\nregister C: bits(1) control;\nregister T: bits(1) control;\nregister X: bits(2) user;\nregister P: bits(1) user pc;\nprivilege M { sup = 0; usr = 1; }\ncause mem_fault = 0 memory;\ncause illegal = 1 undefined;\ncause priv = 2;\ncause svc = 3;\ntranslate(a: bits(1), access: bits(2)) -> bits(1) { if a == 1 && R == 0 { trap mem_fault; } return a ^ R; }\ntrap entry(code: bits(2)) { M = 0; }\ntick { T = T + 1; }\noperand any = [a, b, c, d];\ninstruction I {\n  encoding 1 f:2;\n  syntax \"i {f:any}\";\n  semantics {\n    \n    R = (zext(T, 2))[0];\n    if T == 1 { P = 0; mem[1] = zext(0b11, 3); if zext(C, 2) < mem[f[0]][1:0] { C = (mem[P][2:1])[0]; } else { halt; mem[0] = zext(zext(M, 2), 3); } } else {  }\n  }\n}\nconfig g { guest usr; require C == 0; }\n";

test("memory is a result only at a unit some run wrote: a store that never happens is not compared", async () => {
  for (const sampleTries of [0, 48]) await expectBruteForceAgreement(UNWRITTEN, { sampleTries, pairs: "split" });
});

// Campaign seed 20261242 (split test), case 92. The instruction sets M before an `if M == 1` whose
// other branch holds an `either`: in the mode pair's supervisor run that branch stays a term, in the
// user run it folds away. Choices were numbered in the order a run met them, so the later `either`s
// got other numbers in the two runs, which then took different branches: "mode sensitive" for an
// instruction whose results do not depend on the mode. Choices are now named by their statement.
const FOLDED = "isa tiny \"random\";\nmemory E: bits(3)[2], little, fetch 3;\nregister M: bits(1) control;\nregister R: bits(1) control;\nregister C: bits(1) control;\nregister T: bits(1) control;\nregister X: bits(2) user;\nregister P: bits(1) user pc;\nprivilege M { sup = 0; usr = 1; }\ncause mem_fault = 0 memory;\ncause illegal = 1 undefined;\ncause priv = 2;\ncause svc = 3;\ntranslate(a: bits(1), access: bits(2)) -> bits(1) { if a == 1 && R == 0 { trap mem_fault; } return a ^ R; }\ntrap entry(code: bits(2)) { M = 0; }\ntick { T = T + 1; }\noperand any = [a, b, c, d];\ninstruction I {\n  encoding 1 f:2;\n  syntax \"i {f:any}\";\n  semantics {\n    \n    M = (0b01)[0];\n    if M == 1 {  } else { trap svc; either { P = P; mem[P] = zext(mem[f[0]][1:0], 3); } or {  } }\n    R = (0b11)[0];\n    either { either {  } or { C = (mem[f[0]][1:0])[0]; X = 0b11; mem[C] = zext((0b01 - zext(M, 2)), 3); } if 0b11 != zext(T, 2) {  } else { M = (mem[P][2:1])[0]; trap svc; P = C; } } or {  }\n  }\n}\nconfig g { guest usr;  }\n";

test("the two runs of a pair share each either's choice even where a branch before it folds away in one run", async () => {
  for (const sampleTries of [0, 48]) await expectBruteForceAgreement(FOLDED, { sampleTries, pairs: "split" });
});

// Campaign seed 20261260, case 11. The pair's runs take different paths (R == 1 outputs; R == 0
// may store through an either), then meet a second either. Brute force gave the branches of a choice
// vector to eithers in the order a run met them, so the second either took the first entry in one
// run and the second entry in the other - unlike the solver, the replay and the search, which
// resolve each either statement the same way in both runs. Brute force now indexes by statement.
const PATHS = "isa tiny \"random\";\nmemory E: bits(3)[2], little, fetch 3;\nregister M: bits(1) control;\nregister R: bits(1) control;\nregister C: bits(1) control;\nregister T: bits(1) control;\nregister X: bits(2) user;\nregister P: bits(1) user pc;\nprivilege M { sup = 0; usr = 1; }\ncause mem_fault = 0 memory;\ncause illegal = 1 undefined;\ncause priv = 2;\ncause svc = 3;\ntranslate(a: bits(1), access: bits(2)) -> bits(1) { if access == WRITE && M == 1 && a == 0 { trap mem_fault; } return a; }\ntrap entry(code: bits(2)) { M = 0; }\ntick { T = T + 1; }\noperand any = [a, b, c, d];\ninstruction I {\n  encoding 1 f:2;\n  syntax \"i {f:any}\";\n  semantics {\n    if M == 1 { trap priv; }\n    if R == 1 { output(0b11); } else { either { T = ((if zext(next_pc, 2) <s zext(C, 2) then zext(C, 2) else 0b10))[0]; C = (zext(T, 2))[0]; mem[1] = zext(0b10, 3); } or {  } }\n    either { trap priv; X = 0b10; } or {  }\n  }\n}\nconfig g { guest usr;  }\n";

test("a pair's runs resolve each either statement alike even where their paths meet other eithers first", async () => {
  for (const sampleTries of [0, 48]) await expectBruteForceAgreement(PATHS, { sampleTries });
});
