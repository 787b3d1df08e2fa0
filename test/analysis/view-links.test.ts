/**
 * Regression (agreement campaign, seed 777, case 28): a value loaded through a location pair's shared
 * view before a later store broke the view was left unconstrained - the view's links were asserted
 * only for runs whose view lasted - so the solver "found" a user-location witness that faulted on
 * replay. Every view name a run used is now tied to its memory.
 */
import { afterAll, test } from "vitest";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { expectBruteForceAgreement } from "./agrees.js";

afterAll(async () => {
  await shutdownZ3();
});

// The translation reads M; the instruction loads mem[f[0]] through the view, then may set M (which
// ends the view) and stores.
const SOURCE = "isa tiny \"random\";\nmemory E: bits(3)[2], little, fetch 3;\nregister M: bits(1) control;\nregister R: bits(1) control;\nregister C: bits(1) control;\nregister T: bits(1) control;\nregister X: bits(2) user;\nregister P: bits(1) user pc;\nprivilege M { sup = 0; usr = 1; }\ncause mem_fault = 0 memory;\ncause illegal = 1 undefined;\ncause priv = 2;\ncause svc = 3;\ntranslate(a: bits(1), access: bits(2)) -> bits(1) { if access == WRITE && M == 1 && a == 0 { trap mem_fault; } return a; }\ntrap entry(code: bits(2)) { M = 0; }\ntick { T = T + 1; }\noperand any = [a, b, c, d];\ninstruction I {\n  encoding 1 f:2;\n  syntax \"i {f:any}\";\n  semantics {\n    if M == 1 && f[0] == 1 { trap priv; }\n    either { either {  } or {  } if zext(T, 2) != zext(next_pc, 2) { X = (zext(R, 2) | f); R = (X)[0]; } else { X = (if R == 1 then zext(P, 2) else zext(next_pc, 2)); } } or { if X <s zext(C, 2) { P = 0; C = (mem[P][2:1])[0]; } else { halt; C = (zext(next_pc, 2))[0]; R = (0b11)[0]; } halt; }\n    if zext(M, 2) < mem[f[0]][1:0] { if 0b01 <s zext(R, 2) {  } else { X = (if zext(T, 2) == 0b11 then X else mem[P][2:1]); M = (zext(C, 2))[0]; } output(f); mem[R] = zext(zext(next_pc, 2), 3); } else {  }\n    X = 0b01;\n    mem[C] = zext((0b11 & 0b10), 3);\n  }\n}\nconfig g { guest usr; require C == 0; }\n";

test("a load through the view before the view broke is tied to memory: the witness replays, and brute force agrees", async () => {
  await expectBruteForceAgreement(SOURCE, { sampleTries: 0 });
});

// Regression (agreement campaign, seed 20261123, case 116): the instruction may clear M, which lets
// it write unit 0 where the initial state's translation trapped, then stores through the view and
// reads the unit back. The view's link for that unit is guarded by the initial state's permission,
// so the name was tied to nothing, and the solver "found" a location pair that did not replay. Where
// an access's permission may have widened, the view's value now falls back to the run's own memory.
const WIDENED = "isa tiny \"random\";\nmemory E: bits(3)[2], little, fetch 3;\nregister M: bits(1) control;\nregister R: bits(1) control;\nregister C: bits(1) control;\nregister T: bits(1) control;\nregister X: bits(2) user;\nregister P: bits(1) user pc;\nprivilege M { sup = 0; usr = 1; }\ncause mem_fault = 0 memory;\ncause illegal = 1 undefined;\ncause priv = 2;\ncause svc = 3;\ntranslate(a: bits(1), access: bits(2)) -> bits(1) { if access == WRITE && M == 1 && a == 0 { trap mem_fault; } return a; }\ntrap entry(code: bits(2)) { M = 0; }\ntick { T = T + 1; }\noperand any = [a, b, c, d];\ninstruction I {\n  encoding 1 f:2;\n  syntax \"i {f:any}\";\n  semantics {\n    \n    if X == 0 { trap svc; if zext(R, 2) < zext(T, 2) { P = C; } else {  } } else { T = ((mem[f[0]][1:0] - mem[P][2:1]))[0]; if mem[P][2:1] < zext(next_pc, 2) { M = (0b11)[0]; } else { M = (f)[0]; } X = (if T == 1 then 0b01 else 0b10); }\n    if 0b00 != 0b00 {  } else { mem[P] = zext((if mem[P][2:1] <s zext(C, 2) then zext(T, 2) else 0b11), 3); C = (zext(R, 2))[0]; if 0b00 != 0b10 { P = X[0]; } else {  } }\n  }\n}\nconfig g { guest usr; require R == 1; }\n";

test("a store the initial state's translation forbids but the changed one allows is not a view name tied to nothing", async () => {
  for (const sampleTries of [0, 48]) await expectBruteForceAgreement(WIDENED, { sampleTries, pairs: "split" });
});
