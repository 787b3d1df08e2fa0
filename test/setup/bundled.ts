/**
 * The bundled specs (isas/*.isa) and where the test run keeps their verdicts: shared by the
 * globalSetup that analyses them once per run (analyse-bundled.ts) and by the tests that read
 * whole-spec verdicts (bundled-analysis.ts).
 */
import { readdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";

export const ISAS_DIR = resolve(import.meta.dirname, "../../isas");

/** Absolute paths of the bundled specs. */
export function bundledSpecs(): string[] {
  return readdirSync(ISAS_DIR).filter((f) => f.endsWith(".isa")).sort().map((f) => join(ISAS_DIR, f));
}

/**
 * The bundled specs to analyse up front: all of them, or those POPEK_BUNDLED names (comma-separated,
 * e.g. "pg,pg-flawed") for a quick local run of a few tests; the tests solve what it leaves out.
 */
export function specsToAnalyse(): string[] {
  const only = process.env.POPEK_BUNDLED?.split(",").map((s) => `${s.trim()}.isa`);
  return bundledSpecs().filter((f) => !only || only.includes(basename(f)));
}

/** The name under which the globalSetup hands the run's verdict directory to the test files. */
export const VERDICTS_KEY = "popekVerdicts" as const;

declare module "vitest" {
  export interface ProvidedContext {
    /** The run-local verdict cache directory (empty when the run analysed nothing up front). */
    popekVerdicts: string;
  }
}
