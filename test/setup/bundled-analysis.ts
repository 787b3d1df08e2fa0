/**
 * A bundled spec's analysis for the tests that need whole-spec verdicts, answered from the verdicts
 * the globalSetup computed for this run (analyse-bundled.ts). What the cache lacks (everything,
 * when the run did not analyse up front) is solved here, so the result is always the analyzer's,
 * never an empty or partial stand-in.
 */
import { inject } from "vitest";
import { analyze, type Analysis, type AnalyzeOptions } from "../../src/analysis/analyze.js";
import { AnalysisCache } from "../../src/analysis/cache.js";
import type * as IR from "../../src/ir/ir.js";
import { VERDICTS_KEY } from "./bundled.js";

/**
 * The run's verdict cache, or undefined outside a run with the globalSetup. With undecided: the
 * verdicts the run's analysis left inconclusive are answered as they are (the problem-set pins
 * fail on them by name); without: they are solved again.
 */
export function runVerdicts(options: { readonly undecided: boolean }): AnalysisCache | undefined {
  const dir = inject(VERDICTS_KEY);
  return dir ? new AnalysisCache(dir, { keepUndecided: options.undecided }) : undefined;
}

/**
 * analyze() over the run's verdicts, taking inconclusive ones as the run's analysis left them
 * (the tests that use a spec's analysis to run guests see what a fresh analysis would have given
 * them, without solving the same timeouts again in every test file).
 */
export function analyseBundled(isa: IR.Isa, config: IR.GuestConfig, options: Omit<AnalyzeOptions, "cache"> = {}): Promise<Analysis> {
  return analyze(isa, config, { ...options, cache: runVerdicts({ undecided: true }) });
}
