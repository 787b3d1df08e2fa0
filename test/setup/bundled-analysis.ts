/**
 * A bundled spec's analysis for the tests that need whole-spec verdicts, answered from the verdicts
 * the globalSetup computed for this run (analyse-bundled.ts). What the cache lacks (verdicts that
 * were inconclusive or had internal errors, or everything when the run did not analyse up front)
 * is solved here, so the result is always the analyzer's, never an empty or partial stand-in.
 */
import { inject } from "vitest";
import { analyze, type Analysis, type AnalyzeOptions } from "../../src/analysis/analyze.js";
import { AnalysisCache } from "../../src/analysis/cache.js";
import type * as IR from "../../src/ir/ir.js";
import { VERDICTS_KEY } from "./bundled.js";

/** The run's verdict cache, or undefined outside a run with the globalSetup. */
export function runVerdicts(): AnalysisCache | undefined {
  const dir = inject(VERDICTS_KEY);
  return dir ? new AnalysisCache(dir) : undefined;
}

/** analyze() over the run's verdicts: cached ones are read, the others solved (and cached if conclusive). */
export function analyseBundled(isa: IR.Isa, config: IR.GuestConfig, options: Omit<AnalyzeOptions, "cache"> = {}): Promise<Analysis> {
  return analyze(isa, config, { ...options, cache: runVerdicts() });
}
