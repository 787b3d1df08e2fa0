/**
 * The verdict cache: a second analysis of an unchanged spec solves nothing and gives the same
 * verdicts; editing one instruction re-solves that instruction only; moving text does not matter.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { analyze, type Analysis } from "../../src/analysis/analyze.js";
import { AnalysisCache } from "../../src/analysis/cache.js";
import type { InstructionVerdict } from "../../src/analysis/classify.js";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";

afterAll(async () => {
  await shutdownZ3();
});

async function analyseText(pgFlawed: string, machine: string, cache: AnalysisCache, limits: { rlimit?: number; timeoutMs?: number } = {}): Promise<{ a: Analysis; solved: string[] }> {
  const files = new Map([["/v/pg-flawed.isa", pgFlawed], ["/v/pg/machine.isa", machine]]);
  const isa = checkSpec(loadSpec("/v/pg-flawed.isa", (p) => files.get(p)!)).isa!;
  const solved: string[] = [];
  const a = await analyze(isa, isa.configs[0]!, { cache, ...limits, onInstruction: (v, cached) => (cached ? null : solved.push(v.name)) });
  return { a, solved };
}

const summary = (a: Analysis) => a.instructions.map((v) => `${v.name} ${v.class} ${v.vmmProblem}`);

test("re-checking solves only what changed", async () => {
  const cache = new AnalysisCache(mkdtempSync(join(tmpdir(), "popek-cache-")));
  const flawed = readFileSync("isas/pg-flawed.isa", "utf8");
  const machine = readFileSync("isas/pg/machine.isa", "utf8");
  // A cache that holds nothing yet says so (popek check then readies the solver while it loads specs).
  expect(cache.holdsVerdicts()).toBe(false);
  expect(new AnalysisCache(join(tmpdir(), "popek-cache-never-made")).holdsVerdicts()).toBe(false);
  const first = await analyseText(flawed, machine, cache);
  expect(first.solved.length).toBe(first.a.instructions.length);
  expect(cache.holdsVerdicts()).toBe(true);
  const second = await analyseText(flawed, machine, cache);
  expect(second.solved).toEqual([]);
  // A decided verdict holds whatever the solver was allowed: other limits reuse it.
  expect((await analyseText(flawed, machine, cache, { rlimit: 60_000_000, timeoutMs: 180_000 })).solved).toEqual([]);
  expect(summary(second.a)).toEqual(summary(first.a));
  expect(second.a.theorems.vmm).toEqual(first.a.theorems.vmm);
  // Blank lines and a comment above everything move every span but change no meaning.
  const moved = await analyseText(`// moved\n\n\n${flawed}`, `// moved\n${machine}`, cache);
  expect(moved.solved).toEqual([]);
  // An edit to one instruction's semantics re-solves that instruction alone.
  const edited = machine.replace("semantics { A[ra] = A[ra] | A[rb]; }", "semantics { A[ra] = A[ra] ^ A[rb]; }");
  expect(edited).not.toBe(machine);
  const third = await analyseText(flawed, edited, cache);
  expect(third.solved).toEqual(["OR"]);
});

test("an inconclusive verdict is solved again, unless the cache keeps undecided ones (a test run's own)", () => {
  const isa = checkSpec(loadSpec("isas/pg.isa")).isa!;
  const instruction = isa.instructions[0]!;
  const undecided: InstructionVerdict = {
    name: instruction.name, instruction, privileged: "inconclusive", controlSensitive: false, behaviorSensitive: false,
    locationSensitive: false, modeSensitive: false, userSensitive: false, timingDependent: false, sensitive: false,
    vmmProblem: "inconclusive", hvmProblem: false, class: "inconclusive", evidence: [],
    undecided: [{ question: "completes above the guest level (privileged)", limit: "resources", reason: "max. resource limit exceeded" }], internalErrors: [], queries: 3, units: 30_000_000, ms: 20_000,
    phases: { search: 0, solve: 20_000, witness: 0, build: 0 },
  };
  const dir = mkdtempSync(join(tmpdir(), "popek-cache-"));
  new AnalysisCache(dir).set("k", undecided);
  expect(new AnalysisCache(dir, { keepUndecided: true }).get("k", instruction)).toBeNull();
  new AnalysisCache(dir, { keepUndecided: true }).set("k", undecided);
  expect(new AnalysisCache(dir, { keepUndecided: true }).get("k", instruction)?.vmmProblem).toBe("inconclusive");
  // A cache that solves undecided verdicts again does not take the stored one.
  expect(new AnalysisCache(dir).get("k", instruction)).toBeNull();
});
