/**
 * V8's optimizing compiler, told not to inline, for a process that analyses. The analysis runs a
 * few large functions (the symbolic executor's statement and expression walkers, the interpreter's
 * evaluator) over IR nodes of many shapes: each deoptimizes on a shape it has not seen and is
 * compiled again, and with inlining every compilation rebuilds a large graph. In one thread over
 * the library, V8's compiler threads spent ~3 s of CPU on JavaScript (11 compilations of `stmts`
 * alone took 0.46 s); on two cores that CPU is taken from the workers. Without inlining: 1.7-1.9 s
 * less CPU and the whole `popek check isas/*.isa` ~0.8 s faster (docs/analysis.md).
 *
 * The flag is the process's (V8 has one set of flags), so only popek's own entry points set it:
 * `popek check` and the analysis bench, not the library functions. POPEK_V8_INLINING=1 keeps V8's
 * default, for comparison.
 */
import { setFlagsFromString } from "node:v8";

let tuned = false;

export function tuneV8ForAnalysis(): void {
  if (tuned || process.env.POPEK_V8_INLINING === "1") return;
  tuned = true;
  // Applies to compilations from now on, in every thread of the process (workers included).
  setFlagsFromString("--no-turbo-inlining");
}
