/**
 * Worker threads change nothing but the time: an analysis with a pool of workers gives the very
 * verdicts, witnesses and theorem results of one analysed in this thread (each instruction is
 * analysed in a Z3 context of its own, in either case).
 */
import { afterAll, expect, test } from "vitest";
import { analyze, DEFAULT_RLIMIT, DEFAULT_TIMEOUT_MS, type Analysis } from "../../src/analysis/analyze.js";
import { closeWorkerPool, WorkerPool } from "../../src/analysis/pool.js";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";

afterAll(async () => {
  await closeWorkerPool();
  await shutdownZ3();
});

/** Everything an analysis says, without timings. */
function said(a: Analysis): unknown {
  return {
    instructions: a.instructions.map(({ ms: _ms, phases: _phases, instruction, ...v }) => ({ ...v, instruction: instruction.name })),
    theorems: a.theorems,
    expectations: a.expectations,
    internalErrors: a.internalErrors,
  };
}

test.each(["isas/pg-flawed.isa", "isas/pg.isa"])("%s: two workers say exactly what one thread says", async (file) => {
  const isa = checkSpec(loadSpec(file)).isa!;
  const config = isa.configs[0]!;
  const inThread = await analyze(isa, config);
  const finished: string[] = [];
  const inWorkers = await analyze(isa, config, { workers: 2, onInstruction: (v) => finished.push(v.name) });
  expect(said(inWorkers)).toEqual(said(inThread));
  expect(inWorkers.instructions.map((v) => v.instruction)).toEqual(isa.instructions);
  expect([...finished].sort()).toEqual(isa.instructions.map((i) => i.name).sort());
  // The flawed machine's witness is a real one, from a worker too.
  if (file.includes("flawed")) expect(inWorkers.theorems.vmm.problems).toEqual(["RETU"]);
});

test("a worker's failure is reported, not swallowed", async () => {
  const isa = checkSpec(loadSpec("isas/pg.isa")).isa!;
  // A configuration whose guest level does not exist: the classifier throws inside the worker.
  const broken = { ...isa.configs[0]!, guestLevel: 99 };
  await expect(analyze(isa, broken, { workers: 2, only: ["LD"] })).rejects.toThrow();
});

test("a pool starts workers only for work (regression: idle, never-used workers kept the CLI from exiting)", async () => {
  const pool = new WorkerPool(2);
  expect(pool.started).toBe(0);
  const isa = checkSpec(loadSpec("isas/pg.isa")).isa!;
  const v = await pool.classify(isa, isa.configs[0]!, 0, { rlimit: DEFAULT_RLIMIT, timeoutMs: DEFAULT_TIMEOUT_MS, sampleTries: 48 });
  expect(v.name).toBe(isa.instructions[0]!.name);
  expect(pool.started).toBe(1);
  await pool.close();
});

test("the pool takes the heaviest queued instruction first (so that small ones finish the run, not x86's far transfers)", async () => {
  const pool = new WorkerPool(1);
  const isa = checkSpec(loadSpec("isas/pg.isa")).isa!;
  const options = { rlimit: DEFAULT_RLIMIT, timeoutMs: DEFAULT_TIMEOUT_MS, sampleTries: 48 };
  const order: string[] = [];
  const queued = [[0, 1], [1, 3], [2, 2], [3, 3]].map(([i, weight]) => pool.classify(isa, isa.configs[0]!, i!, options, weight).then((v) => order.push(v.name)));
  await Promise.all(queued);
  expect(order).toEqual([1, 3, 2, 0].map((i) => isa.instructions[i]!.name));
  await pool.close();
});

test("a busy worker is sent its next instruction before it answers, and answers each in turn (two at once would share its Z3)", async () => {
  const pool = new WorkerPool(1);
  const isa = checkSpec(loadSpec("isas/pg-flawed.isa")).isa!;
  const config = isa.configs[0]!;
  const options = { rlimit: DEFAULT_RLIMIT, timeoutMs: DEFAULT_TIMEOUT_MS, sampleTries: 48 };
  const names = ["RETU", "LPSW", "SETR", "GETR"];
  const ids = names.map((n) => isa.instructions.findIndex((i) => i.name === n));
  const verdicts = Promise.all(ids.map((i) => pool.classify(isa, config, i, options)));
  await new Promise((resolve) => setImmediate(resolve));
  expect(pool.sent).toBe(2);
  const inThread = await analyze(isa, config, { only: names });
  expect((await verdicts).map((v) => [v.name, v.class, v.vmmProblem])).toEqual(names.map((n) => {
    const v = inThread.instructions.find((x) => x.name === n)!;
    return [n, v.class, v.vmmProblem];
  }));
  await pool.close();
});
