/** ARMv7, where Theorem 1 fails: with the problem instructions patched, random guests are equivalent. */
import { afterAll, expect, test } from "vitest";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { campaignOf, equivIsaEnabled, run } from "./helpers.js";

afterAll(async () => {
  await shutdownZ3();
});

test.skipIf(!equivIsaEnabled("armv7"))("armv7, patch mode: 300 random guests end as on the bare machine", async () => {
  const { campaign } = await campaignOf("armv7.isa", "patch", { seed: 1974, length: 32 });
  const r = run(campaign, 300);
  expect(r.divergences.map((d) => d.index)).toEqual([]);
  expect(r.programs).toBe(300);
}, 900_000);
