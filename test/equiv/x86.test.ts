/**
 * IA-32, where Theorem 1 fails: trap-and-emulate lets a problem instruction run directly at ring 3
 * and the guest sees the difference, which the campaign finds and shrinks to a few instructions;
 * patching the problem instructions makes random guests equivalent. (The long campaign is
 * `npm run campaign:equiv`.)
 */
import { afterAll, describe, expect, test } from "vitest";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkEquivalence } from "../../src/equiv/equivalence.js";
import { guestLayout } from "../../src/equiv/layout.js";
import { readReplay } from "../../src/equiv/replay.js";
import { campaignOf, equivIsaEnabled, names, run } from "./helpers.js";

afterAll(async () => {
  await shutdownZ3();
});

describe.skipIf(!equivIsaEnabled("x86"))("x86", () => {
  test("trap mode: a divergence, shrunk to at most 3 instructions, one of them a problem instruction", async () => {
    const { analysis, campaign } = await campaignOf("x86.isa", "trap", { seed: 1974, length: 32 });
    const r = run(campaign, 200);
    expect(r.divergences.length).toBe(1);
    const shrunk = names(analysis, r.divergences[0]!.shrunk.slots);
    expect(shrunk.length).toBeLessThanOrEqual(3);
    expect(shrunk.some((n) => analysis.theorems.vmm.problems.includes(n))).toBe(true);
  }, 900_000);

  test("patch mode: 300 random guests end as on the bare machine", async () => {
    const { campaign } = await campaignOf("x86.isa", "patch", { seed: 1974, length: 32 });
    const r = run(campaign, 300);
    expect(r.divergences.map((d) => d.index)).toEqual([]);
    expect(r.programs).toBe(300);
  }, 900_000);

  // Found by the 100,000-program campaign (seed 2026, program 27071), shrunk to: lldt [esi+d32];
  // push fs; jmp edx, with EDX pointing into the LLDT's displacement. The jump lands on bytes that
  // decode as 'mov ebx, imm32' whose last immediate byte is PUSH_SREG's opcode byte - patched. The
  // fetch overlay gave that instruction the patch's byte instead of the guest's own.
  test.each(["interp", "engine"] as const)("patch mode, %s executor: an instruction that runs over a patched one fetches the guest's bytes", async (executor) => {
    const replay = readReplay(new URL("./cases/x86-patch-overlapping-fetch.json", import.meta.url).pathname);
    const { campaign } = await campaignOf("x86.isa", "patch", { seed: replay.seed, length: replay.length });
    const checked = checkEquivalence({ ...campaign.target, executor }, guestLayout(campaign.analysis.isa, replay.length), replay.case);
    expect(checked.kind === "diverged" ? checked.differences : []).toEqual([]);
    expect(checked.kind).toBe("equal");
  }, 900_000);
});
