/**
 * vitest globalSetup: every configuration of every bundled spec is analysed once per test run, in
 * parallel worker threads, into a verdict cache that lives as long as the run. The tests that need
 * whole-spec verdicts (the problem-set pins, the equivalence and VMM tests) read them from there
 * (bundled-analysis.ts) instead of each analysing the same spec again, which cost minutes per spec.
 *
 * Why the cache can never answer with a stale verdict: its directory is made fresh for this run
 * (never the user's ~/.cache/popek) and removed at the end, so every verdict in it was computed by
 * the code under test. In watch mode, where code changes between reruns, it is emptied and filled
 * again before each rerun; the verdicts are always computed in worker threads started for it,
 * which load the analyzer from the sources as they are then (this process may hold older modules,
 * but it only hashes the IR, and a verdict is found only under the hash of the IR it is for).
 * Inconclusive verdicts (a spent solver limit) are kept too, as this run's answer: the tests that
 * run guests over a spec's analysis take them as a fresh analysis would have given them, and the
 * problem-set pins fail on any, by name.
 *
 * A run without any such test (e.g. `vitest run test/syntax`) analyses nothing up front;
 * POPEK_BUNDLED (bundled.ts) narrows what a run analyses up front.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { TestProject } from "vitest/node";
import { analyze } from "../../src/analysis/analyze.js";
import { AnalysisCache, isCacheable } from "../../src/analysis/cache.js";
import { closeWorkerPool } from "../../src/analysis/pool.js";
import { SharedVerdicts } from "../../src/analysis/share.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";
import { specsToAnalyse, VERDICTS_KEY } from "./bundled.js";

/** Test files that read the bundled specs' verdicts: everything under these folders. */
const READERS = /[/\\]test[/\\](isas|equiv|vmm)[/\\][^/\\]+\.test\.ts$/;

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), "popek-test-verdicts-"));
  project.provide(VERDICTS_KEY, dir);
  project.onTestsRerun(async (specs) => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    if (specs.some((s) => READERS.test(s.moduleId))) await analyseBundled(dir);
  });
  if (runReadsVerdicts(project)) await analyseBundled(dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

/** Whether this run's test files include one that reads whole-spec verdicts (if unknown: yes). */
function runReadsVerdicts(project: TestProject): boolean {
  let paths: string[];
  try {
    paths = project.vitest.state.getPaths(); // experimental API: if it goes away, analyse anyway
  } catch {
    return true;
  }
  return paths.length === 0 || paths.some((p) => READERS.test(p));
}

async function analyseBundled(dir: string): Promise<void> {
  const cache = new AnalysisCache(dir, { keepUndecided: true });
  // At least 2, so that the verdicts always come from worker threads (see above), never this thread.
  const workers = Math.max(2, Number(process.env.POPEK_WORKERS ?? availableParallelism()));
  const t0 = performance.now();
  const shared = new SharedVerdicts();
  const jobs: Promise<string>[] = [];
  for (const file of specsToAnalyse()) {
    const isa = checkSpec(loadSpec(file)).isa;
    if (!isa) continue; // a spec with errors: its own tests report them
    for (const config of isa.configs) {
      // All configurations at once: the pool's queue keeps every worker busy to the end.
      jobs.push(analyze(isa, config, { cache, workers, shared }).then((a) => {
        const undecided = a.instructions.filter((v) => !isCacheable(v)).map((v) => v.name);
        return `${basename(file)}/${config.name}: ${a.instructions.length} instructions` +
          (undecided.length ? `, inconclusive or internal error (the pins fail on them): ${undecided.join(", ")}` : "");
      }));
    }
  }
  try {
    const lines = await Promise.all(jobs);
    const s = ((performance.now() - t0) / 1000).toFixed(0);
    console.log(`popek: bundled specs analysed once for this run (${workers} workers, ${s} s):\n  ${lines.join("\n  ")}`);
  } catch (e) {
    // Not fatal: the tests analyse whatever the cache lacks themselves (slower, equally right).
    console.warn(`popek: analysing the bundled specs up front failed; the tests will analyse them: ${(e as Error).message}`);
  } finally {
    await closeWorkerPool();
  }
}
