/**
 * `popek check FILE.isa... [--config NAME] [--format text|json|sarif] [--explain INSTR] [--require T]`:
 * checks each spec, classifies every instruction under each guest configuration, decides the
 * theorems and checks the spec's expectations.
 *
 * Exit codes: 0 complete and every expectation/requirement holds; 1 one fails; 2 spec or usage
 * error; 3 inconclusive; 4 internal error (a witness that does not replay).
 */
import { readFileSync } from "node:fs";
import { analyze, type Analysis } from "../../analysis/analyze.js";
import { AnalysisCache } from "../../analysis/cache.js";
import { SharedVerdicts } from "../../analysis/share.js";
import { tuneV8ForAnalysis } from "../../analysis/v8-flags.js";
import { prepareZ3, shutdownZ3 } from "../../analysis/z3.js";
import type * as IR from "../../ir/ir.js";
import { EXIT, loadIsa, type Io } from "../load-isa.js";
import { analysisToJson } from "../report/json.js";
import { analysesToSarif } from "../report/sarif.js";
import { renderExplain, renderText } from "../report/text.js";

export interface CheckOptions {
  readonly config?: string;
  readonly format: "text" | "json" | "sarif";
  readonly explain?: string;
  readonly require: readonly IR.Theorem[];
  readonly rlimit: number;
  readonly timeoutMs: number;
  /** Parse and check only; no analysis. */
  readonly syntaxOnly: boolean;
  /** Where verdicts are cached between runs; null for none. */
  readonly cacheDir: string | null;
  /** Worker threads analysing instructions in parallel (0 or 1: none). */
  readonly workers: number;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

export async function checkCommand(files: readonly string[], options: CheckOptions, io: Io): Promise<number> {
  let code: number = EXIT.ok;
  const worse = (c: number) => {
    // Precedence: internal > spec error > inconclusive > failed > ok.
    const rank = (x: number) => [EXIT.ok, EXIT.failed, EXIT.inconclusive, EXIT.specError, EXIT.internal].indexOf(x as never);
    if (rank(c) > rank(code)) code = c;
  };
  const analyses: Analysis[] = [];
  try {
    // Load every spec first, then start every analysis: with worker threads, the instructions of
    // all specs and configurations share one queue, so no worker waits for the slowest instruction
    // of one spec before the next spec starts. Reports come out in order.
    const jobs: { file: string; config: IR.GuestConfig; analysis: () => Promise<Analysis> }[] = [];
    // In one thread, analyses run one after another (a thread's Z3 answers one check at a time).
    const parallel = options.workers > 1;
    const cache = options.cacheDir ? new AnalysisCache(options.cacheDir) : undefined;
    // Z3 compiles on V8's threads while the specs load (see prepareZ3); its last steps need this
    // thread, which is given them between one spec and the next. Not when the cache holds verdicts
    // already: a later run mostly needs no solver, and compiling for nothing made it ~0.3 s slower.
    const preparing = !options.syntaxOnly && !cache?.holdsVerdicts();
    if (preparing) prepareZ3();
    if (!options.syntaxOnly) tuneV8ForAnalysis();
    // An instruction that cannot tell two configurations apart is solved once (see share.ts).
    const shared = new SharedVerdicts();
    for (const file of files) {
      if (preparing) await new Promise((resolve) => setImmediate(resolve));
      const { isa, errors, warnings } = loadIsa(file, io);
      if (!isa) {
        io.err(`${file}: ${errors} error(s), ${warnings} warning(s)`);
        worse(EXIT.specError);
        continue;
      }
      if (options.syntaxOnly) {
        io.out(`${file}: ${isa.name}: ${isa.instructions.length} instructions, no errors${warnings ? `, ${warnings} warning(s)` : ""}`);
        continue;
      }
      let configs = isa.configs;
      if (options.config) {
        configs = isa.configs.filter((c) => c.name === options.config);
        if (configs.length === 0) {
          io.err(`${file}: error: no configuration '${options.config}' (configurations: ${isa.configs.map((c) => c.name).join(", ")})`);
          worse(EXIT.specError);
          continue;
        }
      }
      for (const config of configs) {
        const start = () => analyze(isa, config, { rlimit: options.rlimit, timeoutMs: options.timeoutMs, cache, workers: options.workers, shared });
        if (parallel) {
          const started = start();
          started.catch(() => undefined); // awaited below, in order; this only marks it handled meanwhile
          jobs.push({ file, config, analysis: () => started });
        } else {
          jobs.push({ file, config, analysis: start });
        }
      }
    }
    for (const { file, config, analysis } of jobs) {
      const a = await analysis();
      analyses.push(a);
      if (options.format === "text") {
        io.out(renderText(a, { showTable: true }));
        if (options.explain) io.out(renderExplain(a, options.explain));
        io.out("");
      }
      if (a.internalErrors.length) {
        for (const e of a.internalErrors) io.err(`popek: internal error: ${e}`);
        worse(EXIT.internal);
      }
      for (const e of a.expectations) worse(e.holds === true ? EXIT.ok : e.holds === false ? EXIT.failed : EXIT.inconclusive);
      for (const t of options.require) {
        const holds = a.theorems[t].holds;
        if (holds !== true && options.format === "text") io.err(`${file}: --require ${t}: ${holds === false ? "fails" : "inconclusive"} under configuration '${config.name}'`);
        worse(holds === true ? EXIT.ok : holds === false ? EXIT.failed : EXIT.inconclusive);
      }
      const anyInconclusive = [a.theorems.vmm, a.theorems.recursive, a.theorems.hvm].some((t) => t.holds === "inconclusive");
      if (anyInconclusive) worse(EXIT.inconclusive);
    }
  } finally {
    // The worker pool stays: its idle workers do not keep the process alive, and a later check in
    // the same process (the tests) reuses them instead of starting new ones.
    await shutdownZ3();
  }
  if (options.format === "json") {
    const docs = analyses.map(analysisToJson);
    io.out(JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2));
  } else if (options.format === "sarif") {
    io.out(JSON.stringify(analysesToSarif(analyses, version()), null, 2));
  }
  return code;
}
