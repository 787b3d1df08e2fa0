/**
 * The analysis of a whole ISA under one guest configuration: every instruction classified, then
 * Theorems 1-3 decided and the spec's `expect` statements checked against the result.
 */
import type * as IR from "../ir/ir.js";
import { DEFAULT_SAMPLE_TRIES, InstructionClassifier, type ClassifyOptions, type InstructionVerdict, type PairStrategy } from "./classify.js";
import { verdictKey, type AnalysisCache } from "./cache.js";
import { workerPool } from "./pool.js";
import type { SharedVerdicts } from "./share.js";
import { analysisWeight } from "./weight.js";
import { stateSets, type StateSets } from "./state-sets.js";
import type { Tri } from "./tri.js";
import { withFreshZ3 } from "./z3.js";

export interface TheoremVerdict {
  readonly holds: Tri;
  /** Instructions that make it fail (or that could not be decided, when inconclusive). */
  readonly problems: readonly string[];
  readonly inconclusive: readonly string[];
  readonly note: string;
}

export interface ExpectationResult {
  readonly text: string;
  readonly holds: Tri;
  readonly actual: string;
  readonly span: IR.Expectation["span"];
}

export interface Analysis {
  readonly isa: IR.Isa;
  readonly config: IR.GuestConfig;
  readonly instructions: readonly InstructionVerdict[];
  readonly theorems: { readonly vmm: TheoremVerdict; readonly recursive: TheoremVerdict; readonly hvm: TheoremVerdict };
  readonly expectations: readonly ExpectationResult[];
  readonly internalErrors: readonly string[];
  readonly timings: { readonly totalMs: number; readonly perInstructionMs: readonly number[] };
}

/**
 * Z3 resource units per solver query: about 15-25 s of one core of the machine the library was
 * tuned on (2 x AMD EPYC vCPU). Every instruction of every bundled ISA is decided under it, x86's
 * far call with the least room (the query that decides its location sensitivity takes 23.2 million
 * units in the classic configuration). The count does not depend on the machine or its load, so
 * neither do the verdicts.
 */
export const DEFAULT_RLIMIT = 30_000_000;
/** A wall-clock guard per query, for a query whose work Z3 does not count; not meant to be reached. */
export const DEFAULT_TIMEOUT_MS = 600_000;

export interface AnalyzeOptions {
  /** Z3 resource units per query (default DEFAULT_RLIMIT): the deterministic limit. */
  readonly rlimit?: number;
  /** Wall-clock guard per query in ms (default DEFAULT_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** States drawn per existential claim before the solver is asked (0: solver only). */
  readonly sampleTries?: number;
  /** How relational queries are put to the solver (see ClassifyOptions.pairs); default "adaptive". */
  readonly pairs?: PairStrategy;
  /** Reuse verdicts for instructions whose semantics and dependencies have not changed. */
  readonly cache?: AnalysisCache;
  /**
   * Told after each instruction (for progress reports); with workers, in the order they finish.
   * `reused`: not solved by this analysis (from the cache, or shared with another configuration).
   */
  readonly onInstruction?: (v: InstructionVerdict, reused: boolean) => void;
  /**
   * Verdicts shared between the configurations of one run (see share.ts): give every analyze() of
   * the run the same one, and an instruction that cannot tell two configurations apart is solved
   * once.
   */
  readonly shared?: SharedVerdicts;
  /** Analyse only these instructions (names); theorems are then partial. */
  readonly only?: readonly string[];
  /**
   * Worker threads to analyse instructions in parallel (each with its own Z3); 0 or 1: in this
   * thread. The results are the same either way (each instruction is analysed in a fresh context).
   */
  readonly workers?: number;
}

export async function analyze(isa: IR.Isa, config: IR.GuestConfig, options: AnalyzeOptions = {}): Promise<Analysis> {
  const t0 = performance.now();
  const sets = stateSets(isa);
  const classifyOptions = { rlimit: options.rlimit ?? DEFAULT_RLIMIT, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, sampleTries: options.sampleTries ?? DEFAULT_SAMPLE_TRIES, pairs: options.pairs ?? "adaptive" };
  const chosen = isa.instructions.filter((instr) => !options.only || options.only.includes(instr.name));
  const pool = (options.workers ?? 0) > 1 ? workerPool(options.workers!) : null;
  const one = async (instr: IR.Instruction): Promise<InstructionVerdict> => {
    // The solver's limits are not part of the key: a decided verdict (a proof or a replayed witness)
    // holds whatever the solver was given, and undecided ones are not stored (see AnalysisCache).
    const key = options.cache ? verdictKey(isa, config, instr, { sampleTries: classifyOptions.sampleTries }) : "";
    const cached = options.cache?.get(key, instr) ?? null;
    if (cached) {
      options.onInstruction?.(cached, true);
      return cached;
    }
    const solve = () => (pool ? pool.classify(isa, config, instr.id, classifyOptions, analysisWeight(isa, instr)) : classifyInstruction(isa, config, sets, classifyOptions, instr));
    const { verdict, shared } = options.shared ? options.shared.share(isa, config, instr, { sampleTries: classifyOptions.sampleTries, pairs: classifyOptions.pairs }, solve) : { verdict: solve(), shared: false };
    const v = await verdict;
    options.cache?.set(key, v);
    options.onInstruction?.(v, shared);
    return v;
  };
  const verdicts: InstructionVerdict[] = [];
  if (pool) verdicts.push(...(await Promise.all(chosen.map(one))));
  else for (const instr of chosen) verdicts.push(await one(instr));
  const theorems = decideTheorems(verdicts, sets.timing.size > 0);
  const expectations = checkExpectations(isa, config, verdicts, theorems);
  return {
    isa,
    config,
    instructions: verdicts,
    theorems,
    expectations,
    internalErrors: verdicts.flatMap((v) => v.internalErrors),
    timings: { totalMs: performance.now() - t0, perInstructionMs: verdicts.map((v) => v.ms) },
  };
}

/** One instruction's verdict, in a Z3 context of its own (see withFreshZ3). */
export function classifyInstruction(isa: IR.Isa, config: IR.GuestConfig, sets: StateSets, options: ClassifyOptions, instr: IR.Instruction): Promise<InstructionVerdict> {
  return withFreshZ3((Z) => new InstructionClassifier(Z, isa, config, sets, options).classify(instr));
}

function theorem(verdicts: readonly InstructionVerdict[], flag: (v: InstructionVerdict) => Tri, note: (problems: string[]) => string): TheoremVerdict {
  const problems = verdicts.filter((v) => flag(v) === true).map((v) => v.name);
  const inconclusive = verdicts.filter((v) => flag(v) === "inconclusive").map((v) => v.name);
  const holds: Tri = problems.length ? false : inconclusive.length ? "inconclusive" : true;
  return { holds, problems, inconclusive, note: note(problems) };
}

export function decideTheorems(verdicts: readonly InstructionVerdict[], hasTiming: boolean): Analysis["theorems"] {
  const vmm = theorem(verdicts, (v) => v.vmmProblem, (p) =>
    p.length ? "sensitive instructions that are not privileged" : "every sensitive instruction is privileged where it is sensitive");
  const timing = theorem(verdicts, (v) => v.timingDependent, () => "");
  const recursive: TheoremVerdict =
    vmm.holds === false
      ? { holds: false, problems: vmm.problems, inconclusive: vmm.inconclusive, note: "Theorem 1 fails, so the machine is not recursively virtualizable" }
      : timing.holds === false
        ? { holds: false, problems: timing.problems, inconclusive: [], note: "timing dependencies: a guest reads time-varying state without trapping" }
        : {
            holds: vmm.holds === true && timing.holds === true ? true : "inconclusive",
            problems: [],
            inconclusive: [...vmm.inconclusive, ...timing.inconclusive],
            note: hasTiming ? "Theorem 1 holds and no unprivileged instruction reads time" : "Theorem 1 holds and the machine has no time-varying state",
          };
  const hvm = theorem(verdicts, (v) => v.hvmProblem, (p) =>
    p.length ? "user-sensitive instructions that are not privileged" : "every user-sensitive instruction is privileged");
  return { vmm, recursive, hvm };
}

const PROPERTY: Record<IR.InstructionProperty, (v: InstructionVerdict) => Tri> = {
  privileged: (v) => v.privileged,
  sensitive: (v) => v.sensitive,
  control_sensitive: (v) => v.controlSensitive,
  behavior_sensitive: (v) => v.behaviorSensitive,
  location_sensitive: (v) => v.locationSensitive,
  mode_sensitive: (v) => v.modeSensitive,
  user_sensitive: (v) => v.userSensitive,
  innocuous: (v) => (v.sensitive === "inconclusive" ? "inconclusive" : !v.sensitive),
  timing_dependent: (v) => v.timingDependent,
};

export function checkExpectations(isa: IR.Isa, config: IR.GuestConfig, verdicts: readonly InstructionVerdict[], theorems: Analysis["theorems"]): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  const configIndex = isa.configs.indexOf(config);
  for (const e of isa.expectations) {
    if (e.config !== null && e.config !== configIndex) continue;
    if (e.kind === "instruction") {
      const instr = isa.instructions[e.instruction]!;
      const v = verdicts.find((x) => x.name === instr.name);
      if (!v) continue;
      const actual = PROPERTY[e.property](v);
      const holds: Tri = actual === "inconclusive" ? "inconclusive" : actual !== e.negated;
      out.push({
        text: `expect ${instr.name}${e.negated ? " not" : ""} ${e.property}`,
        holds,
        actual: actual === "inconclusive" ? `${e.property}: inconclusive` : `${instr.name} is ${actual ? "" : "not "}${e.property}`,
        span: e.span,
      });
    } else {
      const t = theorems[e.theorem];
      const expected = e.problems ? e.problems.map((p) => isa.instructions[p]!.name).sort() : null;
      let holds: Tri = t.holds === "inconclusive" ? "inconclusive" : t.holds === e.holds;
      if (holds === true && expected) {
        const actual = [...t.problems].sort();
        holds = actual.length === expected.length && actual.every((x, i) => x === expected[i]);
        // The list is exact unless instructions the solver could not decide are missing from it:
        // then it is not known to be wrong (regression: a timeout made it a failure).
        if (!holds && actual.every((x) => expected.includes(x)) && expected.every((x) => actual.includes(x) || t.inconclusive.includes(x))) holds = "inconclusive";
      }
      out.push({
        text: `expect ${e.theorem} ${e.holds ? "holds" : "fails"}${expected ? ` [${expected.join(", ")}]` : ""}`,
        holds,
        actual: `${e.theorem} ${t.holds === true ? "holds" : t.holds === false ? `fails [${t.problems.join(", ")}]${t.inconclusive.length ? `, undecided [${t.inconclusive.join(", ")}]` : ""}` : `is inconclusive [${t.inconclusive.join(", ")}]`}`,
        span: e.span,
      });
    }
  }
  return out;
}
