/**
 * The campaign pool hands its workers plain data: a VmmTarget holds the loaded VMM module (classes
 * and functions), which a worker thread cannot be given (a DataCloneError ended `popek equiv
 * --workers 2` when the target was passed as it is).
 */
import { afterAll, expect, test } from "vitest";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { workerInput } from "../../src/equiv/pool.js";
import { campaignOf } from "./helpers.js";

afterAll(async () => {
  await shutdownZ3();
});

test("what a worker starts from survives structured cloning, mode and executor included", async () => {
  const { analysis, campaign } = await campaignOf("pg.isa", "patch", { seed: 1, length: 8 });
  const target = { ...campaign.target, executor: "engine" as const };
  const input = workerInput(analysis, target, { runs: 10, seed: 5, length: 8, workers: 2, maxDivergences: 1 });
  const cloned = structuredClone(input);
  expect(cloned.target).toEqual({ mode: "patch", executor: "engine" });
  expect([cloned.seed, cloned.length]).toEqual([5, 8]);
  expect(cloned.analysis.theorems).toEqual(analysis.theorems);
});
