/**
 * IA-32, where Theorem 1 fails: trap-and-emulate lets a problem instruction run directly at ring 3
 * and the guest sees the difference, which the campaign finds and shrinks to a few instructions;
 * patching the problem instructions makes random guests equivalent. (The long campaign is
 * `npm run campaign:equiv`.)
 */
import { afterAll, describe, expect, test } from "vitest";
import { shutdownZ3 } from "../../src/analysis/z3.js";
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
});
