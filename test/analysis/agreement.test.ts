/**
 * The analyzer's proof obligation: on random tiny ISAs, every classification the solver makes equals
 * brute-force enumeration of all states with the interpreter. Seeded and bounded here; a longer
 * campaign runs with `npm run campaign:agreement` (POPEK_RUNS, POPEK_SEED).
 */
import fc from "fast-check";
import { afterAll, expect, test } from "vitest";
import { analyze, type AnalyzeOptions } from "../../src/analysis/analyze.js";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkSpec } from "../../src/check/check.js";
import { renderDiagnostic } from "../../src/syntax/diagnostics.js";
import { loadSpec } from "../../src/syntax/load.js";
import { bruteForce, solverFlags } from "./brute-force.js";
import { randomIsa } from "./random-isa.js";

const RUNS = Number(process.env.POPEK_RUNS ?? 25);
const SEED = Number(process.env.POPEK_SEED ?? 20261121);
const SPLIT_RUNS = Number(process.env.POPEK_RUNS ?? 40);

afterAll(async () => {
  await shutdownZ3();
});

/** One random ISA's instruction classified by the solver under `options`, and by brute force. */
async function classifyBoth({ source, semantics }: { source: string; semantics: string }, options: AnalyzeOptions) {
  const loaded = loadSpec("random.isa", () => source);
  const checked = checkSpec(loaded);
  const errors = checked.diagnostics.items.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(`generator made an invalid spec:\n${errors.map((d) => renderDiagnostic(d, loaded.sources)).join("\n")}\n${source}`);
  const isa = checked.isa!;
  const config = isa.configs[0]!;
  const a = await analyze(isa, config, options);
  expect(a.internalErrors, `witnesses must replay; semantics:\n${semantics}`).toEqual([]);
  const why = `semantics:\n${semantics}\nconfig requires: ${config.requires.length}`;
  return { solver: solverFlags(a.instructions[0]!), brute: bruteForce(isa, isa.instructions[0]!, config), why };
}

/** One random ISA's classification by the solver against brute force. */
async function agrees(random: { source: string; semantics: string }, sampling: boolean, split: boolean): Promise<void> {
  const { solver, brute, why } = await classifyBoth(random, { sampleTries: sampling ? 48 : 0, pairs: split ? "split" : "adaptive" });
  expect(solver, why).toEqual(brute);
}

// Half the cases let concrete search answer existential claims first; the other half leave every
// claim to the solver, so both paths are held to brute force. Likewise half put relational queries
// to the solver as relaxed pairs and one difference at a time (the paths real ISAs take only when a
// whole query runs out of time, which never happens on ISAs this small).
test(`solver classification equals brute force on ${RUNS} random ISAs (seed ${SEED})`, async () => {
  await fc.assert(fc.asyncProperty(randomIsa, fc.boolean(), fc.boolean(), agrees), { numRuns: RUNS, seed: SEED, endOnFailure: true });
  // A campaign (POPEK_RUNS in the hundreds) outlasts the default test timeout on a loaded machine.
}, Math.max(120_000, RUNS * 10_000));

// The split strategy alone, every claim left to the solver: a relaxed pair is accepted only after
// its replay shows different results, and "unsat" needs every difference refuted (a version that
// answered with the first difference's verdict fails here).
test(`split relational queries equal brute force on ${SPLIT_RUNS} random ISAs (seed ${SEED + 2})`, async () => {
  await fc.assert(fc.asyncProperty(randomIsa, (isa) => agrees(isa, false, true)), { numRuns: SPLIT_RUNS, seed: SEED + 2, endOnFailure: true });
}, Math.max(120_000, SPLIT_RUNS * 10_000));

// Under a tiny resource limit most questions go undecided; every answer still given must be brute
// force's. An undecided question must never turn into a decided one further on (a theorem-level
// "no problem" while the question it rests on ran out: the guest-level control question once did).
const LIMITED_RUNS = Number(process.env.POPEK_RUNS ?? 40);

async function soundUnderLimit(random: { source: string; semantics: string }, rlimit: number, sampling: boolean): Promise<void> {
  const { solver, brute, why } = await classifyBoth(random, { rlimit, sampleTries: sampling ? 48 : 0 });
  const decided = Object.fromEntries(Object.entries(solver).filter(([, v]) => v !== "inconclusive"));
  const expected = Object.fromEntries(Object.keys(decided).map((k) => [k, brute[k as keyof typeof brute]]));
  expect(decided, `rlimit ${rlimit}; ${why}`).toEqual(expected);
}

test(`under tiny resource limits every decided answer equals brute force, on ${LIMITED_RUNS} random ISAs (seed ${SEED + 4})`, async () => {
  await fc.assert(fc.asyncProperty(randomIsa, fc.constantFrom(1, 5, 20, 60, 200, 600, 2000), fc.boolean(), soundUnderLimit), { numRuns: LIMITED_RUNS, seed: SEED + 4, endOnFailure: true });
}, Math.max(120_000, LIMITED_RUNS * 10_000));
