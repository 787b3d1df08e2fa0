/**
 * Classifies one instruction under one guest configuration, from its semantics, by solver queries
 * (definitions in ../shared/popek-goldberg.md, generalised as docs/analysis.md explains):
 *
 *   privileged        no guest-level state in which it completes without trapping (a proof: unsat),
 *                     and some more privileged state in which it completes;
 *   control sensitive some state in which it completes and changes control state, halts or does I/O;
 *   mode sensitive    two states equal but for the mode (one above the guest level, one at it), both
 *                     completing, with different results as the program sees them;
 *   location sensitive two states in the same mode, equal in what the program sees (registers, PC,
 *                     memory through each state's translation) and in time, differing in other
 *                     control state and physical memory;
 *   user sensitive    control sensitive from a guest-level state, or location sensitive with both
 *                     states at the guest level (Theorem 3);
 *   timing dependent  two guest-level states differing only in time-varying state (what the spec's
 *                     tick writes) with different results (Theorem 2).
 *
 * Every satisfiable answer is turned into concrete states and replayed on the interpreter.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as IR from "../ir/ir.js";
import { freshState, runInstruction, symOperands, type InstructionRun, type SymOperands } from "./instance.js";
import { controlChanges, hexOf, initialDifferences, LISTED_ADDRESS_BITS, presentation, resultDifferences, samePresentation, type Difference } from "./compare.js";
import { concretize, levelOf, modelValue, replay, visibleState, type Concrete, type ReplayOutcome } from "./replay.js";
import { Rng, seedOf, StateSampler, type Sample, type SampleRequest } from "./sample.js";
import { readsModeBits, readsPlacement, readsTime, writesControl } from "./depends.js";
import type { StateSets } from "./state-sets.js";
import { constOf, extractBits, SharedView, symConst, SymRun, termId, type Access, type RunResult, type SymState } from "./symexec.js";
import { and3, not3, or3, type Tri } from "./tri.js";
import { checkSat, oneCheckSolver, provedHere, type B, type BV, type Z3, type Z3Model, type Z3Solver } from "./z3.js";

export interface WitnessState {
  readonly label: string;
  readonly level: string;
  readonly pc: string;
  readonly registers: Readonly<Record<string, string>>;
  readonly memory: readonly { readonly address: string; readonly value: string }[];
}

export type { Difference } from "./compare.js";

export interface Witness {
  /** Which claim this witnesses. */
  readonly claim:
    | "completes-at-guest-level" | "completes-above-guest-level" | "control-sensitive" | "user-control-sensitive"
    | "mode-sensitive" | "location-sensitive" | "user-location-sensitive" | "timing-dependent" | "problem";
  readonly summary: string;
  readonly assembly: string;
  readonly states: readonly WitnessState[];
  /** For control sensitivity: before/after; for the relational ones: run a vs run b. */
  readonly differences: readonly Difference[];
  readonly replayed: boolean;
}

export interface InstructionVerdict {
  readonly name: string;
  readonly instruction: IR.Instruction;
  readonly privileged: Tri;
  readonly controlSensitive: Tri;
  readonly behaviorSensitive: Tri;
  readonly locationSensitive: Tri;
  readonly modeSensitive: Tri;
  readonly userSensitive: Tri;
  readonly timingDependent: Tri;
  readonly sensitive: Tri;
  /** Sensitive in some form that is not privileged in that same form (Theorem 1 problem). */
  readonly vmmProblem: Tri;
  /** User sensitive (Theorem 3 problem). */
  readonly hvmProblem: Tri;
  readonly class: string;
  readonly evidence: readonly Witness[];
  /** The questions the solver left open, and why: what an inconclusive answer rests on. */
  readonly undecided: readonly Undecided[];
  /** Replay failures: bugs in popek, reported loudly. */
  readonly internalErrors: readonly string[];
  readonly queries: number;
  /**
   * Z3 resource units the queries spent, summed: the solver's work, which (unlike its time) is the
   * same on every machine and under any load.
   */
  readonly units: number;
  readonly ms: number;
  /** Where the time went (ms): see Phases. */
  readonly phases: Phases;
}

/** A question the solver could not decide. */
export interface Undecided {
  /** The question, in the words of the verdict's fields ("control sensitive", "user sensitive: ..."). */
  readonly question: string;
  /** The limit it ran into: resource units (--rlimit), wall-clock time (--timeout), or another. */
  readonly limit: "resources" | "time" | "other";
  /** Z3's reason, as it gives it. */
  readonly reason: string;
}

/** Which limit Z3's reason for an unknown names. */
export function limitOf(reason: string): Undecided["limit"] {
  if (/resource limit|rlimit/i.test(reason)) return "resources";
  if (/timeout|canceled/i.test(reason)) return "time";
  return "other";
}

/**
 * Where an instruction's analysis time went, in ms: the concrete search (interpreter runs), the
 * solver's checks, witness replay (model to concrete states, interpreter), and the rest - symbolic
 * execution and building the queries' terms (each term a call into Z3's WASM).
 */
export interface Phases {
  readonly search: number;
  readonly solve: number;
  readonly witness: number;
  readonly build: number;
}

/** A solver answer, or a witness found by concrete search (as good as a model: it is replayed). */
type Answer =
  | { status: "sat"; model: Z3Model }
  | { status: "found"; samples: readonly Sample[] }
  | { status: "unsat" }
  | { status: "unknown"; reason: string };

interface RunInfo {
  readonly label: string;
  readonly initial: SymState;
  readonly inst: InstructionRun;
}

/** A run built when first asked for (see lazyRun). */
interface LazyRun extends RunInfo {
  readonly built: boolean;
}

/**
 * adaptive: each relational query whole first, the relaxed pair and one difference at a time only
 * where the whole one runs out of time. split: the relaxed pair and the differences one at a time
 * always (what the agreement test holds to brute force too: on tiny ISAs nothing times out).
 */
export type PairStrategy = "adaptive" | "split";

export interface ClassifyOptions {
  /**
   * Z3 resource units a query may spend (Z3's rlimit): the limit that decides, because it counts
   * work, not time, so a verdict is the same on a fast machine, a slow one and a loaded CI runner
   * (a wall-clock limit left ARM's STRT undecided on a busy runner and decided on an idle one).
   */
  readonly rlimit: number;
  /** A wall-clock guard per query (ms), far above what the resource limit allows on any machine. */
  readonly timeoutMs: number;
  readonly sampleTries: number;
  readonly pairs?: PairStrategy;
}

/** For people working on the analyzer: POPEK_SMT_DIR=dir writes every query there as SMT-LIB. */
const SMT_DIR = process.env.POPEK_SMT_DIR ?? "";
/** POPEK_QUERY_LOG=1 prints every query's answer and time to stderr. */
const QUERY_LOG = Boolean(process.env.POPEK_QUERY_LOG);

function dumpQuery(s: { toString(): string }, name: string): void {
  mkdirSync(SMT_DIR, { recursive: true });
  writeFileSync(join(SMT_DIR, `${name.replace(/[^A-Za-z0-9_.-]/g, "_")}.smt2`), `${s.toString()}\n(check-sat)\n`);
}

/** States drawn per existential claim before the solver is asked. */
export const DEFAULT_SAMPLE_TRIES = 48;

/** The share of the solver's limit a relaxed pair query (see relaxedPair) gets: a half. */
const RELAXED_SHARE = 2;
/**
 * Location pairs get this many times the concrete search's draws: their solver questions are the
 * costliest (two states, each with its own translation, presenting the same memory), and a drawn
 * pair costs a few interpreter runs (S/370's STCTL: found in 96 draws, not in 48; 5.5 M units).
 */
const LOCATION_TRIES_FACTOR = 2;
/**
 * Second states tried around each state already found, when the drawn ones give no location pair:
 * around one the solver found (unlike any drawn one), and around one the search drew.
 */
const NEAR_TRIES = 256;
const NEAR_TRIES_DRAWN = 32;
/**
 * A guest-level location question's first try gets a sixty-fourth of the limit (the unsatisfiable
 * ones decide within it); where it runs out, novel runs (novelRuns, each query under an eighth, at
 * most two) seed the concrete search before the question is asked whole.
 */
const PROBE_SHARE = 64;
const NOVEL_SHARE = 8;
const NOVEL_ROUNDS = 2;
/** The share a location question's first, whole query gets (most decide at once; see classify): a quarter. */
const FIRST_SHARE = 4;
/**
 * A pair with more constraints than this is a large one (its "same memory" is quadratic in the units
 * the runs touch): its general query is not tried first. In the library: x86's far call's mode pairs
 * (919 constraints) and location pair (8,762), and S/370's STCTL's location pair (8,393: it stores up
 * to sixteen control registers); no other pair has more than 466.
 */
const LARGE_PAIR = 500;
/**
 * Mutants made (StateSampler.fuzz) per search draw, where the draws and the states around the ones
 * found gave no pair; and the second states tried for each new run the mutants reach.
 */
const FUZZ_FACTOR = 8;
/** The search ends this many draws' worth of mutants after the last new run. */
const FUZZ_STALL = 2;
/** Second states tried around a new run the mutants reach, and around any other that completes. */
const FUZZ_NEAR_TRIES = 16;
const FUZZ_NEAR_TRIES_KNOWN = 1;
/**
 * The sliver of the limit a relational question gets before the mutational search (1/512: 58,593
 * units of the default): the questions that decide within it would make the search a waste.
 */
const TINY_SHARE = 512;
/**
 * Resource units for proving, while a pair is built, that an access's changed permission implies
 * the initial state's (SymRun.narrowed, through SharedView.proved): ARM's LDRT family needs a few thousand.
 */
const PERMISSION_UNITS = 200_000;
/** The share a mode pair's first, whole query gets (see modeQuery): an eighth. */
const PAIR_FIRST_SHARE = 8;

export class InstructionClassifier {
  private queries = 0;
  private readonly timed = { search: 0, solve: 0, witness: 0 };
  private sampler!: StateSampler;
  private instrName = "";
  private readonly internalErrors: string[] = [];
  private readonly evidence: Witness[] = [];
  /** Theorem 1's counterpart queries left open (the classes' own questions are read off their answers). */
  private readonly undecided: Undecided[] = [];

  constructor(
    private readonly Z: Z3,
    private readonly isa: IR.Isa,
    private readonly config: IR.GuestConfig,
    private readonly sets: StateSets,
    private readonly options: ClassifyOptions,
  ) {}

  // ------------------------------------------------------------ solving

  private timedPhase<T>(phase: "search" | "witness", fn: () => T): T {
    const t = performance.now();
    try {
      return fn();
    } finally {
      this.timed[phase] += performance.now() - t;
    }
  }

  /** Z3 hash-conses terms, so equal AST pointers mean the same term: a proof of equality. */
  private same(x: BV | B, y: BV | B): boolean {
    return x === y || (x as unknown as { ast: unknown }).ast === (y as unknown as { ast: unknown }).ast;
  }

  private isFalse(b: B): boolean {
    return this.same(b, this.Z.Bool.val(false));
  }

  private isTrue(b: B): boolean {
    return this.same(b, this.Z.Bool.val(true));
  }

  /** A conjunction without the conjuncts that are literally true (the terms stay as they were without them). */
  private and(...xs: B[]): B {
    const kept = xs.filter((x) => !this.isTrue(x));
    return kept.length === 1 ? kept[0]! : this.Z.And(...kept);
  }

  /**
   * Solves a conjunction. A conjunct that is syntactically false (an empty disjunction: every
   * difference compared a term with itself) makes the query unsat without asking the solver.
   */
  private async check(constraints: readonly (B | null)[], share = 1): Promise<Answer> {
    if (constraints.some((c) => c === null || this.isFalse(c))) return { status: "unsat" };
    return this.solve(constraints as B[], share);
  }

  /**
   * A relational question asked without its difference first: two runs that both complete (and
   * present the same memory), found by the solver under half the limit, then replayed; if
   * their results differ, that pair answers the question. The difference is a disjunction over
   * every result the program sees, which can make the full query far harder than the pair alone
   * (an x86 far call at two privilege levels: both completing takes seconds, with the difference
   * minutes) while almost any pair that completes differs (the pushed CS holds the privilege
   * level). Null when the relaxed query finds no pair, or one whose results agree: then the full
   * query decides.
   */
  private async relaxedPair(constraints: readonly (B | null)[], ops: SymOperands, instr: IR.Instruction, runs: readonly [RunInfo, RunInfo]): Promise<Answer | null> {
    if (constraints.some((c) => c === null || this.isFalse(c as B))) return null;
    const a = await this.check(constraints, RELAXED_SHARE);
    if (a.status !== "sat") return null;
    const samples = this.timedPhase("search", () => {
      const word = wordOf(a.model, ops);
      const out: Sample[] = [];
      for (const r of runs) {
        const concrete = concretize(a.model, this.isa, instr, ops, r.initial, r.inst, this.probed.get(r.initial) ?? []);
        const outcome = replay(this.isa, concrete);
        if (outcome.error || outcome.executed !== instr.name || outcome.trap !== null) return null;
        out.push({ concrete, outcome, word });
      }
      const [x, y] = out as [Sample, Sample];
      return samePresentation(this.isa, x.outcome, y.outcome) && resultDifferences(this.isa, x.outcome, y.outcome).length > 0 ? out : null;
    });
    return samples ? { status: "found", samples } : null;
  }

  /**
   * A found state as a replayed sample: the search's own, or the model's concretized and replayed
   * (null if the replay does not execute the instruction).
   */
  private sampleOf(answer: Answer, ops: SymOperands, instr: IR.Instruction, run: RunInfo): Sample | null {
    if (answer.status === "found") return answer.samples[0]!;
    if (answer.status !== "sat") return null;
    // Once per answer: a model is read for the mode pairs' seeds and again for the location search's.
    const known = this.sampled.get(answer);
    if (known !== undefined) return known;
    const sample = this.timedPhase("search", () => {
      const concrete = concretize(answer.model, this.isa, instr, ops, run.initial, run.inst, this.probed.get(run.initial) ?? []);
      const outcome = replay(this.isa, concrete);
      return outcome.error || outcome.executed !== instr.name ? null : { concrete, outcome, word: wordOf(answer.model, ops) };
    });
    this.sampled.set(answer, sample);
    return sample;
  }

  private readonly sampled = new WeakMap<Answer, Sample | null>();

  /**
   * One query, one fresh solver: Z3 answers a single check with its bit-blasting tactic, but once a
   * solver has seen push/pop it switches to its incremental core, which on these queries is orders of
   * magnitude slower (seconds become minutes on s370's loads).
   */
  private async solve(constraints: readonly B[], share: number): Promise<Answer> {
    this.queries++;
    const s = oneCheckSolver(this.Z);
    // At least one of each: Z3 reads a limit of 0 as no limit at all.
    const rlimit = Math.max(1, Math.floor(this.options.rlimit / share));
    const timeoutMs = Math.max(1, Math.floor(this.options.timeoutMs / share));
    try {
      // Z3's rlimit is relative: this query may spend that many more units of the context's count.
      s.set("rlimit", rlimit);
      s.set("timeout", timeoutMs);
      const tAdd = performance.now();
      for (const c of constraints) s.add(c);
      const addMs = performance.now() - tAdd;
      if (SMT_DIR) dumpQuery(s, `${this.instrName}-${this.queries}`);
      const t = performance.now();
      const r = checkSat(s);
      this.timed.solve += performance.now() - t;
      const units = this.unitsSpent(s);
      if (QUERY_LOG) console.error(`popek: ${this.instrName} query ${this.queries} (${this.topic}): ${r} in ${(performance.now() - t).toFixed(0)} ms, ${units} of ${rlimit} resource units (add ${addMs.toFixed(0)} ms, ${constraints.length} constraints)`);
      if (r === "sat") return { status: "sat", model: s.model() };
      if (r === "unsat") return { status: "unsat" };
      return { status: "unknown", reason: s.reasonUnknown?.() ?? "unknown" };
    } finally {
      s.release();
    }
  }

  /** The context's resource count before this instruction's latest query (see unitsSpent). */
  private spent = 0;
  /** Resource units this instruction's queries spent. */
  private units = 0;
  /** What the queries being asked are about, for the query log. */
  private topic = "";

  /** The resource units the query just checked spent (Z3 counts per context; see solve). */
  private unitsSpent(s: Z3Solver): number {
    const stats = s.statistics();
    const count = stats.keys().includes("rlimit count") ? stats.get("rlimit count") : this.spent;
    stats.release();
    const units = count - this.spent;
    this.spent = count;
    this.units += units;
    return units;
  }

  /**
   * Solves a relational query one combination of concrete mode values at a time. With the modes
   * fixed, Z3's preprocessing folds everything that selects on the mode (banked registers,
   * mode-dependent translation) and the two runs' terms mostly coincide: ARM's data-processing
   * mode queries go from seconds to milliseconds. The first satisfiable case answers; all unsat
   * is unsat; otherwise the answer is unknown.
   */
  private async checkByMode(topic: string, constraints: readonly (B | null)[], states: readonly SymState[], values: readonly (readonly bigint[])[], disjuncts: readonly B[] = [], share = 1): Promise<Answer> {
    if (constraints.some((c) => c === null || this.isFalse(c as B))) return { status: "unsat" };
    const w = IR.widthOf(this.isa.privilege.element);
    let combos: bigint[][] = [[]];
    for (const vs of values) combos = combos.flatMap((c) => vs.map((v) => [...c, v]));
    if (combos.length > 1) {
      // Every combination in one query first, under a sliver of the limit: most of these questions
      // are unsatisfiable at every mode, and one query proves it for all (ARM's location questions
      // at its seven modes: 257 -> 209 queries in the library, 1.02 -> 0.78 M units for ARM).
      this.topic = `${topic} at every mode`;
      const anyMode = this.Z.Or(...combos.map((combo) => this.Z.And(...combo.map((v, i) => this.modeValue(states[i]!).eq(this.Z.BitVec.val(v, w))))));
      const a = await this.check([...constraints, anyMode, ...(disjuncts.length ? [this.Z.Or(...disjuncts)] : [])], Math.max(share, TINY_SHARE));
      if (a.status !== "unknown") return a;
    }
    let unknown: Answer | null = null;
    for (const combo of combos) {
      const fixed = combo.map((v, i) => this.modeValue(states[i]!).eq(this.Z.BitVec.val(v, w)));
      this.topic = `${topic} at ${combo.map(hexOf).join(", ")}`;
      // Under a share of the limit, the question whole only (a first try: see its callers).
      const a = disjuncts.length === 0 || share > 1
        ? await this.check([...constraints, ...fixed, ...(disjuncts.length ? [this.Z.Or(...disjuncts)] : [])], share)
        : await this.checkEach([...constraints, ...fixed], disjuncts);
      if (a.status === "sat") return a;
      if (a.status === "unknown") unknown ??= a;
    }
    return unknown ?? { status: "unsat" };
  }

  /**
   * C ∧ (d1 ∨ ... ∨ dn), the disjunction whole and, if the solver's limit is not enough, one
   * disjunct at a time: satisfiable exactly when some C ∧ di is, so the first sat answers and all
   * unsat is unsat. Each disjunct alone (one result of the two runs that differs, an x86 far
   * call's new ESP) can be far easier than the disjunction of every result. (A whole under a
   * quarter of the limit first, as for mode pairs, cost more than it saved: ARM's STRT has seven
   * location questions whose wholes take 3.5-8 million units, and each split cost several times that.)
   */
  private async checkEach(constraints: readonly (B | null)[], disjuncts: readonly B[]): Promise<Answer> {
    if (this.options.pairs !== "split" || disjuncts.length < 2) {
      const whole = await this.check([...constraints, this.Z.Or(...disjuncts)]);
      if (whole.status !== "unknown" || disjuncts.length < 2) return whole;
    }
    let unknown: Answer | null = null;
    for (const d of disjuncts) {
      const a = await this.check([...constraints, d]);
      if (a.status === "sat") return a;
      if (a.status === "unknown") unknown ??= a;
    }
    return unknown ?? { status: "unsat" };
  }

  private levelValues(level: number): bigint[] {
    return [...this.isa.privilege.levels[level]!.values];
  }

  private aboveValues(): bigint[] {
    return [...Array(this.config.guestLevel).keys()].flatMap((l) => this.levelValues(l));
  }

  private tri(a: Answer): Tri {
    return a.status === "sat" || a.status === "found" ? true : a.status === "unsat" ? false : "inconclusive";
  }

  /**
   * An existential one-state claim: first a concrete search (cheap, and enough for most
   * instructions), then the solver, which alone can say "none".
   */
  /**
   * A one-state claim: a state found for an earlier question that shows it too (the solver's x86
   * far call that changes control state at ring 0 also completes above the guest level), then the
   * concrete search, then the solver.
   */
  private async search(req: Omit<SampleRequest, "tries">, run: LazyRun, constraintsOf: () => readonly (B | null)[], tag: string, earlier: () => readonly (Sample | null)[] = () => []): Promise<Answer> {
    // Once the run is built the constraints are made first, as they were before the run was lazy:
    // the solver's models depend on the order terms are made in, and an x86 far call's location
    // pair is found around one model and not around another (19 M units then).
    const made = run.built ? constraintsOf() : null;
    const constraints = () => made ?? constraintsOf();
    this.topic = tag;
    const found = this.timedPhase("search", () =>
      earlier().find((x) => x !== null && this.sampler.shows(x, req)) ?? this.sampler.search({ ...req, tries: this.options.sampleTries }, new Rng(seedOf(`${this.instrName}/${tag}`))));
    if (found) return { status: "found", samples: [found] };
    return this.check(constraints());
  }

  // ------------------------------------------------------------ state predicates

  private modeValue(s: SymState): BV {
    return new SymRun(this.Z, this.isa, s).evalPure(this.isa.privilege.element) as BV;
  }

  private atLevels(s: SymState, levels: readonly number[]): B {
    const Z = this.Z;
    const m = this.modeValue(s);
    const w = IR.widthOf(this.isa.privilege.element);
    const k = constOf(m);
    if (k !== undefined) return Z.Bool.val(levels.some((l) => this.isa.privilege.levels[l]!.values.includes(k)));
    const eqs = levels.flatMap((l) => this.isa.privilege.levels[l]!.values.map((v) => m.eq(Z.BitVec.val(v, w))));
    return eqs.length ? Z.Or(...eqs) : Z.Bool.val(false);
  }

  private guest(s: SymState): B {
    const run = new SymRun(this.Z, this.isa, s);
    const reqs = this.config.requires.map((r) => run.evalPure(r) as B);
    return this.Z.And(this.atLevels(s, [this.config.guestLevel]), ...reqs);
  }

  private above(s: SymState): B {
    return this.atLevels(s, [...Array(this.config.guestLevel).keys()]);
  }

  private wellFormed(s: SymState): B {
    return this.atLevels(s, [...this.isa.privilege.levels.keys()]);
  }

  /** Control state changed, or the machine halted or did I/O; null when that is impossible by construction. */
  private changed(r: RunResult): B | null {
    const Z = this.Z;
    const diffs: B[] = [r.halted, r.output].filter((b) => !this.isFalse(b));
    for (const id of this.sets.control) {
      r.initial.regs[id]!.forEach((t, i) => {
        const f = r.final.regs[id]![i]!;
        if (!this.same(f, t)) diffs.push(Z.Not(f.eq(t)));
      });
    }
    return diffs.length ? Z.Or(...diffs) : null;
  }

  /** Physical memory that queries look at beyond what a run itself touches, per initial state. */
  private readonly probed = new Map<SymState, Access[]>();

  /**
   * Where translate puts the unit `offset` of an access at va in a state (before the instruction),
   * and whether it translates va without trapping.
   */
  private probe(s: SymState, va: BV, offset = 0, access: bigint = IR.ACCESS.READ): { pa: BV; ok: B } {
    const r = new SymRun(this.Z, this.isa, s, "probe").probeTranslate(va, access);
    const list = this.probed.get(s) ?? [];
    const pa = offset === 0 ? r.pa : r.pa.add(this.Z.BitVec.val(BigInt(offset), this.isa.memory.addrWidth));
    list.push(...r.accesses, { guard: r.ok, va, offset, pa, kind: "read" });
    this.probed.set(s, list);
    return { pa, ok: r.ok };
  }

  /** The virtual units (va, offset) a run wrote, once each. */
  private written(...runs: RunResult[]): { va: BV; offset: number; guard: B }[] {
    const byKey = new Map<string, { va: BV; offset: number; guards: B[] }>();
    for (const r of runs) {
      for (const w of r.accesses) {
        if (w.kind !== "write" || !w.va || this.isFalse(w.guard)) continue;
        const key = `${termId(w.va)}+${w.offset}`;
        const known = byKey.get(key);
        if (known) known.guards.push(w.guard);
        else byKey.set(key, { va: w.va, offset: w.offset, guards: [w.guard] });
      }
    }
    // Whether some run made the store: a unit is a result only where one did (the replay compares
    // the units the runs wrote, compare.ts).
    return [...byKey.values()].map(({ va, offset, guards }) => ({
      va, offset, guard: guards.some((g) => this.isTrue(g)) ? this.Z.Bool.val(true) : guards.length === 1 ? guards[0]! : this.Z.Or(...guards),
    }));
  }

  /**
   * The two runs' results differ as the program sees them: a user register (banked ones through the
   * current bank), the PC after, or memory at a virtual unit either run wrote, read through each
   * state's translation from before the instruction.
   */
  private differ(a: RunInfo, b: RunInfo): B | null {
    const diffs = this.differences(a, b);
    return diffs.length ? this.Z.Or(...diffs) : null;
  }

  /** The disjuncts of differ: each result that may differ, one term each. */
  private differences(a: RunInfo, b: RunInfo): B[] {
    const Z = this.Z;
    const ra = a.inst.run;
    const rb = b.inst.run;
    const diffs: B[] = [];
    const unequal = (x: BV, y: BV) => {
      if (!this.same(x, y)) diffs.push(Z.Not(x.eq(y)));
    };
    unequal(ra.finalPc, rb.finalPc);
    for (const e of this.isa.state) {
      if (e.role !== "user" || e.bankOf !== null || e.isPc) continue;
      ra.final.regs[e.id]!.forEach((t, i) => unequal(t, rb.final.regs[e.id]![i]!));
    }
    for (const bank of this.isa.banked) {
      if (bank.role !== "user") continue;
      unequal(this.alias(bank, ra.final), this.alias(bank, rb.final));
    }
    // Two runs that made the same stores through one shared view, each placed exactly, read the same
    // term at every unit (SharedView.read): memory cannot differ, and there is nothing to build.
    const sameStores = ra.view !== null && rb.view !== null && ra.view.shared === rb.view.shared && ra.view.signature === rb.view.signature
      && ra.view.exact && rb.view.exact;
    for (const w of sameStores ? [] : this.written(ra, rb)) {
      if (ra.view && rb.view) {
        // Both runs kept to the shared view: compare what the program sees there, where both
        // states let it read.
        const x = ra.view.read(w.va, w.offset);
        const y = rb.view.read(w.va, w.offset);
        if (!this.same(x, y)) diffs.push(this.and(w.guard, this.probe(a.initial, w.va, w.offset).ok, this.probe(b.initial, w.va, w.offset).ok, Z.Not(x.eq(y))));
        continue;
      }
      const pa = this.probe(a.initial, w.va, w.offset);
      const pb = this.probe(b.initial, w.va, w.offset);
      const x = ra.final.phys.select(pa.pa) as BV;
      const y = rb.final.phys.select(pb.pa) as BV;
      if (!this.same(x, y)) diffs.push(this.and(w.guard, pa.ok, pb.ok, Z.Not(x.eq(y))));
    }
    return diffs;
  }

  /**
   * A location pair presents the program the same memory: at every virtual unit either run
   * touches, the same contents wherever both states translate it, and the same sharing - a unit
   * either run writes is the same physical unit as another touched unit in one state exactly when
   * it is in the other (a placement elsewhere moves memory; it does not merge or split it). Also the
   * links that tie the shared view's names to each run's memory.
   */
  private sameMemory(a: RunInfo, b: RunInfo): B[] {
    const Z = this.Z;
    const out: B[] = [];
    const units = new Map<string, { va: BV; offset: number; write: boolean; pa: { pa: BV; ok: B }; pb: { pa: BV; ok: B } }>();
    for (const x of [...a.inst.run.accesses, ...b.inst.run.accesses]) {
      if (!x.va) continue;
      // A fetched unit is presented through fetch translation (x86 fetches through CS whatever
      // segment bits the PC holds; elsewhere execute permission differs from read), data through a read.
      const access = x.kind === "fetch" ? IR.ACCESS.FETCH : IR.ACCESS.READ;
      const key = `${termId(x.va)}+${x.offset}/${access}`;
      const known = units.get(key);
      if (known) {
        if (x.kind === "write") known.write = true;
        continue;
      }
      const pa = this.probe(a.initial, x.va, x.offset, access);
      const pb = this.probe(b.initial, x.va, x.offset, access);
      units.set(key, { va: x.va, offset: x.offset, write: x.kind === "write", pa, pb });
      out.push(Z.Implies(Z.And(pa.ok, pb.ok), a.initial.phys.select(pa.pa).eq(b.initial.phys.select(pb.pa))));
    }
    const all = [...units.values()];
    for (const w of all) {
      if (!w.write) continue;
      for (const u of all) {
        if (u === w) continue;
        const sa = this.same(w.pa.pa, u.pa.pa) ? Z.Bool.val(true) : w.pa.pa.eq(u.pa.pa);
        const sb = this.same(w.pb.pa, u.pb.pa) ? Z.Bool.val(true) : w.pb.pa.eq(u.pb.pa);
        if (this.same(sa, sb)) continue;
        out.push(Z.Implies(Z.And(w.pa.ok, u.pa.ok, w.pb.ok, u.pb.ok), sa.eq(sb)));
      }
    }
    for (const r of [a, b]) {
      // Every view name the run used, also where its view broke later (regression: a value loaded
      // through the view before a store broke it was left unconstrained, and the witness did not
      // replay).
      const v = r.inst.run.viewUse;
      if (!v) continue;
      out.push(...v.links());
      const list = this.probed.get(r.initial) ?? [];
      for (const c of v.cells.values()) list.push(...c.walk, { guard: c.ok, va: c.va, offset: c.offset, pa: c.pa, kind: "read" });
      this.probed.set(r.initial, list);
    }
    if (a.inst.run.viewUse?.offView || b.inst.run.viewUse?.offView) out.push(...this.presentedEverywhere(a.initial, b.initial));
    return out;
  }

  /**
   * The pair presents the same memory at every virtual address both states translate - the
   * definition itself, which the view's links state only at the units the program names. A run
   * that read its own memory where the view could not place the unit (it changed translate's
   * registers, then loaded) needs it: the unit it reached may be one the initial translation
   * presents under another name, and without this the two runs' memories there were free, so the
   * solver "found" location pairs that present different memory (regression: a random ISA whose
   * translate is `a ^ R` flipped R, then loaded). Stated once per address where the address space is
   * small enough to list (LISTED_ADDRESS_BITS: every unit is then probed, so the witness holds all
   * of memory), else as one quantified claim for Z3 to decide (an `unknown` makes the answer
   * inconclusive, not wrong). Listing 256 addresses cost a relocated load 3.4 s a query against the
   * claim's 0.1-0.6 s.
   */
  private presentedEverywhere(sa: SymState, sb: SymState): B[] {
    const Z = this.Z;
    const width = this.isa.vaddrWidth;
    const same = (pa: { pa: BV; ok: B }, pb: { pa: BV; ok: B }): B =>
      Z.Implies(Z.And(pa.ok, pb.ok), sa.phys.select(pa.pa).eq(sb.phys.select(pb.pa)));
    if (width <= LISTED_ADDRESS_BITS) {
      const out: B[] = [];
      for (let v = 0n; v < 1n << BigInt(width); v++) {
        const va = symConst(Z, v, width);
        out.push(same(this.probe(sa, va), this.probe(sb, va)));
      }
      return out;
    }
    // Not through this.probe: a bound variable has no value in a model, so the witness cannot list it.
    const va = Z.BitVec.const("presented.va", width);
    const probe = (s: SymState) => new SymRun(Z, this.isa, s, "probe").probeTranslate(va, IR.ACCESS.READ);
    return [Z.ForAll([va], same(probe(sa), probe(sb)))];
  }

  private alias(bank: IR.BankedRegister, s: SymState): BV {
    const Z = this.Z;
    // A selector that folds to a constant (a mode pair's fixed modes) picks its bank here, so the
    // two runs' views of the register are the same term when the banks hold the same value.
    const sel = new SymRun(Z, this.isa, s).evalPure(bank.selector) as BV;
    const w = IR.widthOf(bank.selector);
    const dflt = bank.banks.find((b) => b.values === null) ?? bank.banks[bank.banks.length - 1]!;
    const k = constOf(sel);
    if (k !== undefined) {
      // The chain below, evaluated: the last bank whose values include the selector, else the default.
      let chosen = dflt;
      for (const b of bank.banks) if (b !== dflt && b.values?.includes(k)) chosen = b;
      return s.regs[chosen.element]![0]!;
    }
    let v = s.regs[dflt.element]![0]!;
    for (const b of bank.banks) {
      if (b === dflt || b.values === null || b.values.length === 0) continue;
      v = Z.If(Z.Or(...b.values.map((x) => sel.eq(Z.BitVec.val(x, w)))), s.regs[b.element]![0]!, v) as BV;
    }
    return v;
  }

  private runFrom(label: string, ops: SymOperands, initial: SymState, instr: IR.Instruction, view: SharedView | null = null): RunInfo {
    return { label, initial, inst: runInstruction(this.Z, this.isa, instr, ops, initial, "choice", view) };
  }

  /** runFrom, its state made and the run built when first asked for. */
  private lazyRun(label: string, ops: SymOperands, initial: () => SymState, instr: IR.Instruction, view: SharedView | null = null): LazyRun {
    const { Z, isa } = this;
    let state: SymState | undefined;
    let inst: InstructionRun | undefined;
    const start = () => (state ??= initial());
    return {
      label,
      get initial() {
        return start();
      },
      get inst() {
        return (inst ??= runInstruction(Z, isa, instr, ops, start(), "choice", view));
      },
      get built() {
        return inst !== undefined;
      },
    };
  }

  private base(ops: SymOperands, ...runs: RunInfo[]): B[] {
    return [ops.valid, ...runs.map((r) => r.inst.fetched)];
  }

  private completes(r: RunInfo): B {
    return this.Z.Not(r.inst.run.trapped);
  }

  // ------------------------------------------------------------ relational state pairs

  /**
   * A mode pair for two concrete mode values: a at va; b equal to a - the same physical memory, the
   * same other control state, as in P&G's pair - but at vb, with each user-visible banked register
   * of b's bank holding what a sees in its own bank (the VMM presents the guest its registers; what
   * b's other banks hold is the VMM's). The query also asks that the pair present the program the
   * same memory (sameMemory): on machines whose translation depends on the mode (RISC-V's M-mode
   * does not page) a load in the other mode reads other memory, which is the VMM's translation to
   * emulate, not a result that depends on the mode. With the modes constant, bank selection and
   * mode tests fold away and most of the two runs' terms coincide.
   * Null when the mode is not one field of one register, or a bank selector is not decided by it.
   */
  private modePairAt(va: bigint, vb: bigint): { a: SymState; b: SymState } | null {
    if (this.sets.mode.size !== 1) return null;
    const a = this.withModeValue(freshState(this.Z, this.isa, "a"), va);
    const b = this.withModeValue(a, vb);
    for (const bank of this.isa.banked) {
      if (bank.role !== "user") continue;
      const ea = this.bankOf(bank, a);
      const eb = this.bankOf(bank, b);
      if (ea === null || eb === null) return null;
      if (ea !== eb) b.regs[eb]![0] = a.regs[ea]![0]!;
    }
    return { a, b };
  }

  /**
   * A pair for every mode above the guest level at once: a's mode any of them (the constraint in
   * extra), b the same state at the one guest mode value. Null where that does not describe the
   * pairs (banked user registers, several guest values, a mode spread over registers).
   */
  private anyAbovePair(): { a: SymState; b: SymState; extra: B[] } | null {
    const guestValues = this.levelValues(this.config.guestLevel);
    if (this.sets.mode.size !== 1 || guestValues.length !== 1 || this.aboveValues().length < 2) return null;
    if (this.isa.banked.some((bank) => bank.role === "user")) return null;
    const a = freshState(this.Z, this.isa, "a");
    return { a, b: this.withModeValue(a, guestValues[0]!), extra: [this.above(a)] };
  }

  /** The state with the mode field set to a constant. */
  private withModeValue(s: SymState, value: bigint): SymState {
    const [id, bits] = [...this.sets.mode][0]!;
    const regs = s.regs.map((r) => [...r]);
    const cur = regs[id]![0]!;
    const w = this.isa.state[id]!.width;
    const parts: BV[] = [];
    if (bits.hi < w - 1) parts.push(extractBits(this.Z, cur, w - 1, bits.hi + 1));
    parts.push(symConst(this.Z, value, bits.hi - bits.lo + 1));
    if (bits.lo > 0) parts.push(extractBits(this.Z, cur, bits.lo - 1, 0));
    regs[id]![0] = parts.length === 1 ? parts[0]! : this.Z.Concat(...parts);
    return { regs, phys: s.phys };
  }

  /** The storage element a banked register selects in a state whose selector folds to a constant. */
  private bankOf(bank: IR.BankedRegister, s: SymState): number | null {
    const sel = constOf(new SymRun(this.Z, this.isa, s).evalPure(bank.selector) as BV);
    if (sel === undefined) return null;
    const chosen = bank.banks.find((x) => x.values?.includes(sel)) ?? bank.banks.find((x) => x.values === null) ?? bank.banks[bank.banks.length - 1]!;
    return chosen.element;
  }

  /** b equals a but for the mode bits, which are fresh (the general form, when modePairAt cannot fix them). */
  private modePair(a: SymState): SymState {
    const b = freshState(this.Z, this.isa, "b", a, { element: () => true, phys: true });
    return this.withFreshModeBits(b, "b");
  }

  /**
   * Guest-level runs unlike those found so far, asked of the solver as seeds for the concrete pair
   * search: a run that completes and sets a bit of some user-visible result no known run set, or
   * clears one none cleared (twice, each time counting the last one found too). The draws take the
   * common paths; a pair is often around a rare one - an x86 LSL or VERR that finds a visible
   * descriptor sets ZF, where every drawn one cleared it - and one state is far cheaper for the
   * solver than a pair (LSL: 0.1 M units against 3 M for its location pair).
   */
  private async novelRuns(ops: SymOperands, instr: IR.Instruction, s: RunInfo, sBase: readonly (B | null)[], known: readonly (Sample | null)[]): Promise<Sample[]> {
    const Z = this.Z;
    const r = s.inst.run;
    const results: [string, BV, BV][] = [];
    for (const e of this.isa.state) {
      if (e.role !== "user" || e.bankOf !== null || e.isPc) continue;
      r.initial.regs[e.id]!.forEach((t, i) => results.push([e.count === null ? e.name : `${e.name}[${i}]`, t, r.final.regs[e.id]![i]!]));
    }
    for (const bank of this.isa.banked) if (bank.role === "user") results.push([bank.name, this.alias(bank, r.initial), this.alias(bank, r.final)]);
    // Per result, the bits known runs set and cleared.
    const set = new Map<string, bigint>();
    const cleared = new Map<string, bigint>();
    const learn = (o: ReplayOutcome) => {
      const before = visibleState(this.isa, o.initial);
      const after = visibleState(this.isa, o.final);
      for (const [k, v] of after) {
        const was = before.get(k) ?? 0n;
        set.set(k, (set.get(k) ?? 0n) | (v & ~was));
        cleared.set(k, (cleared.get(k) ?? 0n) | (was & ~v));
      }
    };
    for (const k of known) if (k) learn(k.outcome);
    const out: Sample[] = [];
    for (let round = 0; round < NOVEL_ROUNDS; round++) {
      const fresh: B[] = [];
      for (const [name, before, after] of results) {
        if (this.same(before, after)) continue;
        const w = before.size();
        const not = (m: bigint) => Z.BitVec.val(BigInt.asUintN(w, ~m), w);
        const zero = Z.BitVec.val(0n, w);
        fresh.push(Z.Not(after.and(before.not()).and(not(set.get(name) ?? 0n)).eq(zero)));
        fresh.push(Z.Not(before.and(after.not()).and(not(cleared.get(name) ?? 0n)).eq(zero)));
      }
      if (fresh.length === 0) break;
      this.topic = "novel run";
      const answer = await this.check([...sBase, this.guest(s.initial), this.completes(s), Z.Or(...fresh)], NOVEL_SHARE);
      const seed = this.sampleOf(answer, ops, instr, s);
      if (!seed || seed.outcome.trap !== null) break;
      out.push(seed);
      learn(seed.outcome);
    }
    return out;
  }

  /**
   * Mode sensitivity, one pair of concrete mode values at a time (each pair built with those values,
   * see modePairAt); the first satisfiable pair answers with its runs.
   */
  private async modeQuery(ops: SymOperands, instr: IR.Instruction, seeds: { above: Sample | null; guest: Sample | null }): Promise<{ answer: Answer; runs: RunInfo[] }> {
    const Z = this.Z;
    // A run that never reads a mode bit is the same run at every mode: no pair can differ, and none
    // is built (S/370's problem-state instructions, pg.isa's).
    if (!readsModeBits(this.isa, this.sets, instr)) return { answer: { status: "unsat" }, runs: [] };
    // States already found in which the instruction completes, above the guest level and at it,
    // each with the same state at the other level (for an x86 far call, the pair the solver takes
    // seconds to find), then drawn ones: before any pair is built (ARM's STM of the User registers:
    // six pairs of sixteen stores each took 600 ms to build; the first drawn pair shows it).
    const seeded = this.timedPhase("search", () => (seeds.above && this.sampler.modePairFrom(seeds.above)) || (seeds.guest && this.sampler.modePairBelow(seeds.guest)));
    if (seeded) return { answer: { status: "found", samples: seeded }, runs: [] };
    const found = this.timedPhase("search", () => this.sampler.searchModePair(this.options.sampleTries, new Rng(seedOf(`${instr.name}/mode`))));
    if (found) return { answer: { status: "found", samples: found }, runs: [] };
    const combos = this.aboveValues().flatMap((va) => this.levelValues(this.config.guestLevel).map((vb) => [va, vb] as const));
    // Each pair of mode values: where the two runs' results are the same terms the answer is unsat
    // by construction, with no solver.
    const pairs: { mA: RunInfo; mB: RunInfo; d: B[] }[] = [];
    let general = false;
    // One view for every pair (a query links it to its own two runs only), so that a guest-level
    // state that is the same terms in several pairs - wherever no banked register is presented
    // differently: x86's three rings above ring 3, RISC-V's M and S - is run once.
    const view = this.sharedView();
    const guestRuns = new Map<string, RunInfo>();
    for (const [va, vb] of combos) {
      const pair = this.modePairAt(va, vb);
      if (!pair) {
        general = true;
        break;
      }
      const mA = this.runFrom("a", ops, pair.a, instr, view);
      const key = pair.b.regs.map((r) => r.map(termId).join(",")).join(";");
      let mB = guestRuns.get(key);
      if (!mB) guestRuns.set(key, (mB = this.runFrom("b", ops, pair.b, instr, view)));
      const d = this.differences(mA, mB);
      if (d.length) pairs.push({ mA, mB, d });
    }
    if (!general && pairs.length === 0) return { answer: { status: "unsat" }, runs: [] };
    this.topic = "mode pairs";
    const queries = (general ? [] : pairs).map(({ mA, mB, d }) => ({
      mA, mB, d, both: [...this.base(ops, mA, mB), this.guest(mB.initial), this.completes(mA), this.completes(mB), ...this.sameMemory(mA, mB)],
    }));
    // Each pair under a sliver of the limit first (most decide within it: ARM's, one pair of mode
    // values after another, unsat in a few thousand units), until one runs out: then the mutational
    // search, before the pairs left get more.
    const split = this.options.pairs === "split";
    const open: typeof queries = [];
    let ranOut = general;
    for (const q of split ? [] : queries) {
      if (ranOut || q.both.length > LARGE_PAIR) {
        open.push(q);
        continue;
      }
      const answer = await this.check([...q.both, Z.Or(...q.d)], TINY_SHARE);
      if (answer.status === "sat") return { answer, runs: [q.mA, q.mB] };
      if (answer.status === "unknown") {
        ranOut = true;
        open.push(q);
      }
    }
    if (!split && open.length === 0 && !general) return { answer: { status: "unsat" }, runs: [] };
    const fuzzed = this.timedPhase("search", () => {
      const rng = new Rng(seedOf(`${instr.name}/mode fuzz`));
      const [tries, stall] = [this.options.sampleTries * FUZZ_FACTOR, this.options.sampleTries * FUZZ_STALL];
      return this.sampler.fuzz([seeds.above], "above", tries, stall, rng, (x) => this.sampler.modePairFrom(x))
        ?? this.sampler.fuzz([seeds.guest], "guest", tries, stall, rng, (x) => this.sampler.modePairBelow(x));
    });
    if (fuzzed) return { answer: { status: "found", samples: fuzzed }, runs: [] };
    // Each pair left, its full query under an eighth of the solver's limit (most decide in
    // milliseconds, and in the library all but an x86 far call's within it); from the first it
    // leaves open, the pairs get the relaxed query (any pair that completes, then replayed), and
    // then the full query again under the whole limit, and their differences one at a time.
    const hard: typeof queries = split ? queries : [];
    for (const q of split ? [] : open) {
      // Once one pair's query runs out, the instruction is a hard one: the rest go straight on; so
      // do large pairs (LARGE_PAIR).
      const answer = hard.length || q.both.length > LARGE_PAIR ? null : await this.check([...q.both, Z.Or(...q.d)], PAIR_FIRST_SHARE);
      if (answer?.status === "sat") return { answer, runs: [q.mA, q.mB] };
      if (!answer || answer.status === "unknown") hard.push(q);
    }
    for (const { mA, mB, both } of hard) {
      const relaxed = await this.relaxedPair(both, ops, instr, [mA, mB]);
      if (relaxed) return { answer: relaxed, runs: [] };
    }
    let unknown: { answer: Answer; runs: RunInfo[] } | null = null;
    for (const { mA, mB, d, both } of hard) {
      const answer = await this.checkEach(both, d);
      if (answer.status === "sat") return { answer, runs: [mA, mB] };
      if (answer.status === "unknown") unknown ??= { answer, runs: [mA, mB] };
    }
    if (!general) return unknown ?? { answer: { status: "unsat" }, runs: [] };
    // The general form: symbolic mode bits, banked registers that agree by constraint.
    const ma = freshState(Z, this.isa, "a");
    const generalView = this.sharedView();
    const mA = this.runFrom("a", ops, ma, instr, generalView);
    const mB = this.runFrom("b", ops, this.modePair(ma), instr, generalView);
    const d = this.differ(mA, mB);
    const q = [...this.base(ops, mA, mB), this.above(mA.initial), this.guest(mB.initial), ...this.bankedAgree(mA.initial, mB.initial),
      this.completes(mA), this.completes(mB), d, ...(d ? this.sameMemory(mA, mB) : [])];
    const answer = await this.checkByMode("mode pairs", q, [mA.initial, mB.initial], [this.aboveValues(), this.levelValues(this.config.guestLevel)]);
    return { answer, runs: [mA, mB] };
  }

  /**
   * Location pairs that differ in one control element only: b is a with that element changed (its
   * mode bits kept) and the same physical memory - each a special case of the general pair. Asked
   * as relaxed pairs (relaxedPair: two runs that complete, present the same memory and hold
   * different values in the element, found by the solver without "some result differs", then
   * replayed): a replayed pair whose results differ answers the question, and the witness shows
   * which element matters. With everything else shared most of the two runs' terms coincide, and
   * without the difference the query is one the solver finds easily: an x86 far call's pair that
   * differs in CS takes it 7 M units, where the general pair (two independent descriptor tables,
   * TSSs and page tables, any result differing) took 53 M. An element whose pair cannot change a
   * result costs no query. Null when no such pair is found; the general question decides then.
   */
  private async oneElementLocation(ops: SymOperands, instr: IR.Instruction, a: SymState, level: "guest" | "any", values: readonly bigint[]): Promise<{ answer: Answer; runs: RunInfo[] } | null> {
    const Z = this.Z;
    const w = IR.widthOf(this.isa.privilege.element);
    // One view and one run of a for every element's pair (a query links the view to its own two
    // runs only, as for mode pairs).
    const view = this.sharedView();
    let A: RunInfo | null = null;
    for (const e of this.isa.state) {
      if (e.role !== "control" || e.isPc || this.sets.timing.has(e.id)) continue;
      let b = freshState(Z, this.isa, "b", a, { element: (x) => x.id !== e.id, phys: true });
      if (this.sets.mode.has(e.id)) b = this.withFreshModeBits(b, "b", a);
      A ??= this.runFrom("a", ops, a, instr, view);
      const B = this.runFrom("b", ops, b, instr, view);
      const d = this.differences(A, B);
      if (d.length === 0) continue;
      const differs = Z.Or(...a.regs[e.id]!.map((t, i) => Z.Not(t.eq(b.regs[e.id]![i]!))));
      const pair = [...this.base(ops, A, B), this.completes(A), this.completes(B), ...this.sameMemory(A, B), differs,
        ...(level === "guest" ? [this.guest(A.initial), this.guest(B.initial)] : [this.wellFormed(A.initial)])];
      for (const v of values) {
        this.topic = `location, ${e.name} alone, at ${hexOf(v)}`;
        const found = await this.relaxedPair([...pair, this.modeValue(a).eq(Z.BitVec.val(v, w))], ops, instr, [A, B]);
        if (found) return { answer: found, runs: [] };
      }
    }
    return null;
  }

  private withFreshModeBits(s: SymState, tag: string, from?: SymState): SymState {
    const Z = this.Z;
    const regs = s.regs.map((r) => [...r]);
    for (const [id, bits] of this.sets.mode) {
      const cur = regs[id]![0]!;
      const w = this.isa.state[id]!.width;
      const mid = from ? from.regs[id]![0]!.extract(bits.hi, bits.lo) : Z.BitVec.const(`${tag}.mode.${this.isa.state[id]!.name}`, bits.hi - bits.lo + 1);
      const parts: BV[] = [];
      if (bits.hi < w - 1) parts.push(cur.extract(w - 1, bits.hi + 1));
      parts.push(mid);
      if (bits.lo > 0) parts.push(cur.extract(bits.lo - 1, 0));
      regs[id]![0] = parts.length === 1 ? parts[0]! : Z.Concat(...parts);
    }
    return { regs, phys: s.phys };
  }

  /** b shares a's user state and time, has its own other control state and physical memory, and a's mode. */
  private locationPair(a: SymState): SymState {
    const keep = (e: IR.StateElement) => e.role === "user" || this.sets.timing.has(e.id);
    const b = freshState(this.Z, this.isa, "b", a, { element: keep });
    return this.withFreshModeBits(b, "b", a);
  }

  /** b differs from a only in time-varying state. */
  private timingPair(a: SymState): SymState {
    return freshState(this.Z, this.isa, "b", a, { element: (e) => !this.sets.timing.has(e.id), phys: true });
  }

  private bankedAgree(a: SymState, b: SymState): B[] {
    return this.isa.banked.filter((x) => x.role === "user").map((x) => this.alias(x, a).eq(this.alias(x, b)));
  }

  // ------------------------------------------------------------ the classification

  async classify(instr: IR.Instruction): Promise<InstructionVerdict> {
    const t0 = performance.now();
    const Z = this.Z;
    const ops = symOperands(Z, this.isa, instr, "op");

    // One state: privilege and control sensitivity.
    this.sampler = new StateSampler(this.isa, instr, this.config, this.sets);
    this.instrName = instr.name;
    // The one-state questions and the location pair start from the same state (variables named
    // alike): separate queries, but the runs share their translations (built once per context).
    // The symbolic runs are built when a question needs them: where the concrete search answers
    // and the semantics show a claim impossible, none is (most of an ISA's instructions).
    const la = freshState(Z, this.isa, "a");
    const s = this.lazyRun("s", ops, () => la, instr);
    const sBase = () => this.base(ops, s);
    const completes = (o: ReplayOutcome) => o.trap === null;
    const changes = (o: ReplayOutcome) => completes(o) && controlChanges(this.isa, o).length > 0;
    // Control state changed, or a halt or an output: impossible where the semantics write no control
    // element and neither halt nor output (then the run's term would fold to false: see changed).
    const mayChange = writesControl(this.isa, this.sets, instr);
    let sChangedMemo: B | null | undefined;
    const sChanged = () => (sChangedMemo === undefined ? (sChangedMemo = mayChange ? this.changed(s.inst.run) : null) : sChangedMemo);
    // A question that needs a control change from a run that cannot make one is unsat as it stands:
    // no search, no solver.
    const changing = async (rest: () => Promise<Answer>) => (sChanged() === null ? ({ status: "unsat" } as const) : rest());
    const controlAsked = await changing(() => this.search({ level: "any", want: changes }, s, () => [...sBase(), this.wellFormed(la), this.completes(s), sChanged()], "control"));
    // A guest-level state that changes control state is asked for before one that merely
    // completes: it is one too, and the narrower query is often much the easier (an x86 far call:
    // half a second against six). Where none changes control state, the broader question is asked.
    const earlier = (...answers: Answer[]) => () => answers.map((a) => this.sampleOf(a, ops, instr, s));
    const userControlFirst: Answer = controlAsked.status === "unsat"
      ? { status: "unsat" }
      : await changing(() => this.search({ level: "guest", want: changes }, s, () => [...sBase(), this.guest(la), this.completes(s), sChanged()], "user-control", earlier(controlAsked)));
    // A guest-level state that changes control state is one at some level: where the general
    // question ran out and the guest-level one found a state, that state answers both.
    const control = controlAsked.status === "unknown" && this.tri(userControlFirst) === true ? userControlFirst : controlAsked;
    const userCompletes = this.tri(userControlFirst) === true
      ? userControlFirst
      : await this.search({ level: "guest", want: completes }, s, () => [...sBase(), this.guest(la), this.completes(s)], "guest", earlier(control));
    const aboveCompletes = await this.search({ level: "above", want: completes }, s, () => [...sBase(), this.above(la), this.completes(s)], "above", earlier(control));
    // Each query below asks for a guest-level state that completes (and more): if none completes,
    // the answer is already known to be unsat.
    const neverAtGuest = userCompletes.status === "unsat";
    const userControl: Answer = neverAtGuest ? { status: "unsat" } : userControlFirst;

    // Two states: behaviour sensitivity and timing.
    const aboveSample = this.sampleOf(aboveCompletes, ops, instr, s);
    const guestSample = this.sampleOf(userCompletes, ops, instr, s);
    const { answer: mode, runs: modeRuns } = await this.modeQuery(ops, instr, { above: aboveSample, guest: guestSample });

    const view = this.sharedView();
    const lA = this.lazyRun("a", ops, () => la, instr, view);
    const lB = this.lazyRun("b", ops, () => this.locationPair(la), instr, view);
    // Whether the two runs' results can differ at all: not where the semantics read nothing the
    // pair's states differ in (readsPlacement), and not where every result is the same term in both
    // runs; then neither location query can be satisfied - no concrete search, no solver. It is
    // made before sameMemory: reading the view's final values creates the cells sameMemory must link.
    const locDifferences = readsPlacement(this.isa, this.sets, instr) ? this.differences(lA, lB) : [];
    const locDiffer = locDifferences.length ? Z.Or(...locDifferences) : null;
    // The pair's constraints but the difference, made once and only if the solver is asked
    // (sameMemory is quadratic in the units touched).
    let locBaseMemo: (B | null)[] | null = null;
    const locBase = () =>
      (locBaseMemo ??= [...this.base(ops, lA, lB), this.completes(lA), this.completes(lB), ...(locDiffer ? this.sameMemory(lA, lB) : [])]);
    const allValues = [...this.isa.privilege.levels.keys()].flatMap((l) => this.levelValues(l));
    // A concrete pair first (as good as a model: it is replayed), then the solver: drawn, then around
    // the states the solver found in which the instruction completes (an x86 far call at the guest
    // level, which no drawn state reaches; ARM's LDM with an SPSR that holds a mode), which the
    // draws do not resemble.
    const seeds = (answers: Answer[]) => [...new Set(answers)].filter((x) => x.status === "sat" || x.status === "found")
      .map((x) => ({ seed: this.sampleOf(x, ops, instr, s), tries: x.status === "sat" ? NEAR_TRIES : NEAR_TRIES_DRAWN }));
    const guestSeeds = () => seeds([userControl, userCompletes]);
    const anySeeds = () => seeds([control, aboveCompletes, userControl, userCompletes]);
    const locationPair = (level: "guest" | "any", tag: string): Answer | null => {
      const found = this.timedPhase("search", () => {
        const rng = new Rng(seedOf(`${this.instrName}/${tag}`));
        const drawn = this.sampler.searchLocationPair(this.options.sampleTries * LOCATION_TRIES_FACTOR, rng, level);
        if (drawn) return drawn;
        for (const { seed, tries } of level === "guest" ? guestSeeds() : anySeeds()) {
          const near = seed && this.sampler.locationPairNear(seed, tries, rng, level);
          if (near) return near;
        }
        return null;
      });
      return found ? { status: "found", samples: found } : null;
    };
    // The guest-level question first: its query is the general one with both states at the guest
    // level added, so a pair it finds answers both (for x86's descriptor instructions each is a
    // solver call of seconds). Only when it finds none is the general one asked.
    // Each: the concrete search, the general query under a quarter of the limit, pairs that differ
    // in one control element (oneElementLocation), then the general query in full.
    let userLocationRuns: RunInfo[] = [lA, lB];
    let locationRuns: RunInfo[] = [lA, lB];
    const ask = async (topic: string, level: "guest" | "any", extra: B[], values: bigint[], setRuns: (r: RunInfo[]) => void): Promise<Answer> => {
      const narrowed = async () => {
        const narrow = await this.oneElementLocation(ops, instr, la, level, values);
        if (narrow) setRuns(narrow.runs);
        return narrow?.answer ?? null;
      };
      // A large pair's general query runs out (LARGE_PAIR): the one-element pairs, where most of
      // its constraints fold away, are asked first.
      const large = locBase().length > LARGE_PAIR;
      // A sliver of the limit first (the unsatisfiable ones mostly decide within it; a large pair's
      // general query is not asked: it would not); where it runs out, the mutational search around
      // the states found so far.
      const tiny = large ? null : await this.checkByMode(topic, [...locBase(), ...extra], [lA.initial], [values], locDifferences, TINY_SHARE);
      if (tiny && tiny.status !== "unknown") return tiny;
      const fuzzed = this.timedPhase("search", () => {
        const rng = new Rng(seedOf(`${this.instrName}/${topic} fuzz`));
        // The mode pair's states too: its guest-level run is often one step from a rare one (an
        // x86 LAR's reads a descriptor that is not visible at ring 3).
        const seeded = [...(level === "guest" ? guestSeeds() : anySeeds()).map((x) => x.seed), ...(mode.status === "found" ? mode.samples : [])];
        return this.sampler.fuzz(seeded, level, this.options.sampleTries * FUZZ_FACTOR, this.options.sampleTries * FUZZ_STALL, rng,
          (x, fresh) => this.sampler.locationPairNear(x, fresh ? FUZZ_NEAR_TRIES : FUZZ_NEAR_TRIES_KNOWN, rng, level));
      });
      if (fuzzed) return { status: "found", samples: fuzzed };
      const early = large ? await narrowed() : null;
      if (early) return early;
      if (level === "guest" && !large) {
        const probe = await this.checkByMode(topic, [...locBase(), ...extra], [lA.initial], [values], locDifferences, PROBE_SHARE);
        if (probe.status !== "unknown") return probe;
        const rng = new Rng(seedOf(`${this.instrName}/novel`));
        for (const seed of await this.novelRuns(ops, instr, s, sBase(), [guestSample])) {
          const near = this.timedPhase("search", () => this.sampler.locationPairNear(seed, NEAR_TRIES, rng, "guest"));
          if (near) return { status: "found", samples: near };
        }
      }
      const first = await this.checkByMode(topic, [...locBase(), ...extra], [lA.initial], [values], locDifferences, FIRST_SHARE);
      if (first.status !== "unknown") return first;
      const late = large ? null : await narrowed();
      if (late) return late;
      return this.checkByMode(topic, [...locBase(), ...extra], [lA.initial], [values], locDifferences);
    };
    const userLocation: Answer = locDiffer === null || neverAtGuest
      ? { status: "unsat" }
      : locationPair("guest", "user-location")
        ?? (await ask("user location", "guest", [this.guest(lA.initial), this.guest(lB.initial)], this.levelValues(this.config.guestLevel), (r) => (userLocationRuns = r)));
    if (this.tri(userLocation) === true) locationRuns = userLocationRuns;
    const location: Answer = locDiffer === null
      ? { status: "unsat" }
      : this.tri(userLocation) === true
        ? userLocation
        : locationPair("any", "location") ?? (await ask("location", "any", [this.wellFormed(lA.initial)], allValues, (r) => (locationRuns = r)));

    let timing: Answer = { status: "unsat" };
    if (this.sets.timing.size > 0 && !neverAtGuest && readsTime(this.isa, this.sets, instr)) {
      const ta = freshState(Z, this.isa, "a");
      const tA = this.runFrom("a", ops, ta, instr);
      const tB = this.runFrom("b", ops, this.timingPair(ta), instr);
      const d = this.differ(tA, tB);
      // Where results can differ at all, a concrete pair first: a guest-level run already found (or
      // drawn) and the same state at another time.
      const found = d === null ? null : this.timedPhase("search", () =>
        this.sampler.searchTimingPair(this.options.sampleTries, new Rng(seedOf(`${instr.name}/timing`)), [this.sampleOf(userCompletes, ops, instr, s)]));
      timing = found ? { status: "found", samples: found } : await this.checkByMode("timing", [...this.base(ops, tA, tB), this.guest(tA.initial), this.guest(tB.initial),
        this.completes(tA), this.completes(tB), d], [tA.initial], [this.levelValues(this.config.guestLevel)]);
      if (timing.status === "sat" || timing.status === "found") this.witness("timing-dependent", timing, ops, instr, [tA, tB]);
    }

    // Witnesses for what was found.
    if (this.tri(userCompletes) === true) this.witness("completes-at-guest-level", userCompletes, ops, instr, [s]);
    if (this.tri(aboveCompletes) === true && userCompletes.status === "unsat") this.witness("completes-above-guest-level", aboveCompletes, ops, instr, [s]);
    if (this.tri(control) === true) this.witness("control-sensitive", control, ops, instr, [s]);
    if (this.tri(userControl) === true) this.witness("user-control-sensitive", userControl, ops, instr, [s]);
    if (this.tri(mode) === true) this.witness("mode-sensitive", mode, ops, instr, modeRuns);
    if (this.tri(location) === true) this.witness("location-sensitive", location, ops, instr, locationRuns);
    if (this.tri(userLocation) === true) this.witness("user-location-sensitive", userLocation, ops, instr, userLocationRuns);

    const privileged = and3(not3(this.tri(userCompletes)), this.tri(aboveCompletes));
    const controlSensitive = this.tri(control);
    const modeSensitive = this.tri(mode);
    const locationSensitive = this.tri(location);
    const behaviorSensitive = or3(modeSensitive, locationSensitive);
    const sensitive = or3(controlSensitive, behaviorSensitive);
    const userSensitive = or3(this.tri(userControl), this.tri(userLocation));

    // Theorem 1: wherever the instruction is sensitive, the same state deprivileged to the guest
    // level (its counterpart: what a VMM runs) must trap.
    let vmmProblem: Tri = false;
    if (sensitive !== false && userCompletes.status !== "unsat") {
      vmmProblem = await this.problem(instr, ops, { s, userControl, control, mode, modeRuns, location, userLocation, userLocationRuns });
    }
    const hvmProblem = userSensitive;
    const timingDependent = this.tri(timing);
    const asked: [string, Answer][] = [
      ["privileged: completes at the guest level", userCompletes], ["privileged: completes above it", aboveCompletes],
      ["control sensitive", control], ["user sensitive: control, at the guest level", userControl],
      ["mode sensitive", mode], ["location sensitive", location], ["user sensitive: location, at the guest level", userLocation],
      ["timing dependent", timing],
    ];
    const undecided: Undecided[] = [
      ...asked.flatMap(([question, a]) => (a.status === "unknown" ? [{ question, limit: limitOf(a.reason), reason: a.reason }] : [])),
      ...this.undecided,
    ];

    const ms = performance.now() - t0;
    const cls =
      sensitive === "inconclusive" || privileged === "inconclusive" ? "inconclusive"
      : privileged ? "privileged"
      : !sensitive ? "innocuous"
      : vmmProblem === false ? "sensitive, privileged where sensitive"
      : controlSensitive === true ? "control sensitive"
      : modeSensitive === true ? "mode sensitive"
      : "location sensitive";

    return {
      name: instr.name,
      instruction: instr,
      privileged,
      controlSensitive,
      behaviorSensitive,
      locationSensitive,
      modeSensitive,
      userSensitive,
      timingDependent,
      sensitive,
      vmmProblem,
      hvmProblem,
      class: cls,
      evidence: this.evidence,
      undecided,
      internalErrors: this.internalErrors,
      queries: this.queries,
      units: this.units,
      ms,
      phases: { ...this.timed, build: ms - this.timed.search - this.timed.solve - this.timed.witness },
    };
  }

  /**
   * A shared view for a location pair, able to prove the side claims its runs raise (a changed
   * permission that implies the initial one) within PERMISSION_UNITS.
   */
  private sharedView(): SharedView {
    return new SharedView(this.Z, this.isa, (claim) => provedHere(this.Z, claim, PERMISSION_UNITS));
  }

  // ------------------------------------------------------------ Theorem 1

  /**
   * Whether the instruction has a problem form: a state in which it is sensitive whose counterpart
   * at the guest level - the same state with the mode field set to a guest value and banked
   * registers presented as the program saw them (modePairAt) - completes. Then a VMM running the
   * guest deprivileged gets no trap where the bare machine would have done something the VMM must
   * see. An instruction that is sensitive only where its counterpart traps (ARM's MCR whose
   * condition passes; a RISC-V CSR write to satp) is privileged where it is sensitive.
   */
  private async problem(
    instr: IR.Instruction,
    ops: SymOperands,
    q: {
      s: RunInfo; userControl: Answer; control: Answer; mode: Answer; modeRuns: RunInfo[];
      location: Answer; userLocation: Answer; userLocationRuns: RunInfo[];
    },
  ): Promise<Tri> {
    const results: Tri[] = [];
    const shown = (answer: Answer, runs: RunInfo[], why: string): Tri => {
      this.witness("problem", answer, ops, instr, runs, why);
      return true;
    };
    const itself = (name: string) => `${name} sensitive, and the sensitive run itself completes at the guest level`;
    const counterpart = (name: string) => `${name} sensitive, yet the same state at the guest level completes`;

    // The sensitive run is already at the guest level: user control sensitivity, the guest-level run
    // of a mode pair, a location pair at the guest level.
    if (this.tri(q.userControl) === true) {
      const a = q.userControl.status === "found" ? ({ status: "found", samples: [q.userControl.samples[0]!, q.userControl.samples[0]!] } as const) : q.userControl;
      return shown(a, [q.s, q.s], itself("control"));
    }
    // A concrete control witness: run its counterpart.
    if (q.control.status === "found") {
      const w = q.control.samples[0]!;
      const g = this.timedPhase("search", () => this.sampler.counterpart(w));
      if (g) return shown({ status: "found", samples: [w, g] }, [], counterpart("control"));
    }
    if (q.mode.status === "sat") return shown(q.mode, [...q.modeRuns, q.modeRuns[1]!], itself("mode"));
    if (q.mode.status === "found") return shown({ status: "found", samples: [...q.mode.samples, q.mode.samples[1]!] }, [], itself("mode"));
    if (q.userLocation.status === "sat") return shown(q.userLocation, [...q.userLocationRuns, q.userLocationRuns[1]!], itself("location"));
    if (q.userLocation.status === "found") return shown({ status: "found", samples: [...q.userLocation.samples, q.userLocation.samples[1]!] }, [], itself("location"));
    // The solver below asks only about runs above the guest level: an undecided guest-level
    // question leaves the guest-level runs open (a run at the guest level that drops to the
    // supervisor is sensitive there and nowhere above).
    if (q.userControl.status === "unknown") results.push("inconclusive");
    if (q.mode.status === "unknown") results.push("inconclusive");
    if (q.userLocation.status === "unknown") results.push("inconclusive");

    // Otherwise the solver: a sensitive run above the guest level whose counterpart completes. Every
    // mode above the guest level in one query where no banked register needs a constant mode to be
    // presented (RISC-V's M and S: one proof instead of two, 16 % fewer units for the CSR
    // instructions), else one pair of mode values at a time.
    const combos = this.aboveValues().flatMap((va) => this.levelValues(this.config.guestLevel).map((vb) => [va, vb] as const));
    this.topic = "theorem 1 counterpart";
    const merged = this.anyAbovePair();
    const pairs: ({ a: SymState; b: SymState; extra: B[] } | null)[] = merged ? [merged] : combos.map(([va, vb]) => {
      const p = this.modePairAt(va, vb);
      return p && { ...p, extra: [] };
    });
    for (const pair of pairs) {
      if (!pair) {
        results.push("inconclusive");
        break;
      }
      const w = this.runFrom("w", ops, pair.a, instr);
      // The counterpart makes its own choices: any that completes means the VMM may get no trap.
      const g: RunInfo = { label: "s", initial: pair.b, inst: runInstruction(this.Z, this.isa, instr, ops, pair.b, "counterpart-choice") };
      const guestRun = [this.guest(g.initial), this.completes(g)];
      const asked: { kind: string; runs: RunInfo[]; conj: (B | null)[] }[] = [];
      if (q.control.status !== "unsat") {
        asked.push({ kind: "control", runs: [w, g], conj: [...this.base(ops, w), this.completes(w), this.changed(w.inst.run)] });
      }
      if (q.location.status !== "unsat") {
        const view = this.sharedView();
        const l1 = this.runFrom("a", ops, pair.a, instr, view);
        const l2 = this.runFrom("b", ops, this.locationPair(pair.a), instr, view);
        const d = this.differ(l1, l2);
        if (d !== null) asked.push({ kind: "location", runs: [l1, l2, g], conj: [...this.base(ops, l1, l2), this.completes(l1), this.completes(l2), d, ...this.sameMemory(l1, l2)] });
      }
      // Both forms in one query (the counterpart is the same run): unsatisfiable, the usual answer,
      // is one proof instead of two; a model says which form it satisfies.
      const live = asked.filter((x) => !x.conj.some((c) => c === null || this.isFalse(c)));
      if (live.length === 0) continue;
      const each = (x: (typeof live)[number]) => this.Z.And(...(x.conj as B[]));
      const a = await this.check([...pair.extra, ...this.base(ops, g), ...guestRun, live.length === 1 ? each(live[0]!) : this.Z.Or(...live.map(each))]);
      if (a.status === "sat") {
        const which = live.find((x) => live.length === 1 || modelValue(a.model, this.Z.If(each(x), this.Z.BitVec.val(1, 1), this.Z.BitVec.val(0, 1)) as BV) === 1n)!;
        return shown(a, which.runs, counterpart(which.kind));
      }
      if (a.status === "unknown" && !this.undecided.some((u) => u.reason === a.reason)) {
        this.undecided.push({ question: "Theorem 1: a sensitive run above the guest level whose counterpart completes", limit: limitOf(a.reason), reason: a.reason });
      }
      results.push(this.tri(a));
    }
    return or3(...results);
  }

  // ------------------------------------------------------------ witnesses

  private witness(claim: Witness["claim"], answer: Answer, ops: SymOperands, instr: IR.Instruction, runs: RunInfo[], summary?: string): void {
    this.timedPhase("witness", () => this.replayWitness(claim, answer, ops, instr, runs, summary));
  }

  private replayWitness(claim: Witness["claim"], answer: Answer, ops: SymOperands, instr: IR.Instruction, runs: RunInfo[], summary?: string): void {
    let concrete: Concrete[];
    let labels: string[];
    if (answer.status === "sat") {
      concrete = runs.map((r) => concretize(answer.model, this.isa, instr, ops, r.initial, r.inst, this.probed.get(r.initial) ?? []));
      labels = runs.map((r) => r.label);
    } else if (answer.status === "found") {
      concrete = answer.samples.map((x) => x.concrete);
      const relational = claim === "mode-sensitive" || claim === "location-sensitive" || claim === "user-location-sensitive"
        || claim === "timing-dependent" || (claim === "problem" && answer.samples.length === 3);
      labels = answer.samples.length === 1 ? ["s"] : relational ? ["a", "b", "b"] : ["w", "s"];
    } else {
      return;
    }
    const outcomes = concrete.map((c) => replay(this.isa, c));
    const states = concrete.map((c, i) => describe(this.isa, labels[i]!, c));
    const problems: string[] = [];
    outcomes.forEach((o, i) => {
      if (o.error) problems.push(`run ${labels[i]!}: ${o.error}`);
      if (o.executed !== instr.name) problems.push(`run ${labels[i]!} executed ${o.executed ?? "nothing"} instead of ${instr.name}`);
    });
    let differences: Difference[] = [];
    const completed = (o: ReplayOutcome) => o.trap === null;
    const check = (ok: boolean, why: string) => {
      if (!ok) problems.push(why);
    };
    switch (claim) {
      case "completes-at-guest-level":
      case "completes-above-guest-level":
        check(completed(outcomes[0]!), `expected no trap, got trap ${trapName(outcomes[0]!)}`);
        break;
      case "control-sensitive":
      case "user-control-sensitive": {
        const o = outcomes[0]!;
        check(completed(o), `expected no trap, got trap ${trapName(o)}`);
        differences = controlChanges(this.isa, o);
        check(differences.length > 0, "expected a change of control state, output or halt; the replay shows none");
        break;
      }
      case "mode-sensitive":
      case "location-sensitive":
      case "user-location-sensitive":
      case "timing-dependent": {
        const [a, b] = outcomes as [ReplayOutcome, ReplayOutcome];
        check(completed(a) && completed(b), `expected both runs to complete, got ${trapName(a)} / ${trapName(b)}`);
        differences = [...initialDifferences(this.isa, a, b), ...resultDifferences(this.isa, a, b)];
        check(differences.some((d) => d.what.startsWith("result")), "expected different results; the replay shows the same");
        if (claim === "location-sensitive" || claim === "user-location-sensitive") {
          // (Where a moved read needs memory at every address of a large space, the solver's
          // quantified claim stands for the check - see presentation.)
          check(presentation(this.isa, a, b) !== "different", "expected two states that present the program the same memory; the replay shows different memory");
        }
        break;
      }
      case "problem": {
        // runs: the sensitivity witness (one run, or two for mode/location), then the guest-level run.
        const user = outcomes[outcomes.length - 1]!;
        check(completed(user), `expected the guest-level run to complete, got ${trapName(user)}`);
        if (outcomes.length === 2) {
          differences = controlChanges(this.isa, outcomes[0]!);
          check(completed(outcomes[0]!) && differences.length > 0, "expected the sensitivity witness to complete and change control state");
        } else {
          const [a, b] = outcomes as [ReplayOutcome, ReplayOutcome];
          differences = [...initialDifferences(this.isa, a, b), ...resultDifferences(this.isa, a, b)];
          check(completed(a) && completed(b) && differences.some((d) => d.what.startsWith("result")), "expected the two sensitivity runs to complete with different results");
        }
        break;
      }
    }
    if (problems.length) {
      this.internalErrors.push(`${instr.name}: ${claim} witness did not replay on the interpreter: ${problems.join("; ")}`);
    }
    this.evidence.push({
      claim,
      summary: summary ?? defaultSummary(claim),
      assembly: concrete[0]!.assembly,
      states,
      differences,
      replayed: problems.length === 0,
    });
  }
}

function trapName(o: ReplayOutcome): string {
  return o.trap ? `'${o.trap.cause.name}'` : "none";
}

function defaultSummary(claim: Witness["claim"]): string {
  switch (claim) {
    case "completes-at-guest-level": return "completes without trapping at the guest level, so it is not privileged";
    case "completes-above-guest-level": return "completes above the guest level (and traps at it)";
    case "control-sensitive": return "completes and changes control state";
    case "user-control-sensitive": return "completes at the guest level and changes control state";
    case "mode-sensitive": return "gives different results in a more privileged mode and at the guest level";
    case "location-sensitive": return "gives different results for two placements (control states) of the same program";
    case "user-location-sensitive": return "gives different results for two placements, both at the guest level";
    case "timing-dependent": return "reads time: results differ between two states that differ only in time-varying state";
    case "problem": return "sensitive, but does not trap at the guest level";
  }
}

function describe(isa: IR.Isa, label: string, c: Concrete): WitnessState {
  const registers: Record<string, string> = {};
  for (const e of isa.state) {
    if (e.isPc) continue;
    if (e.count === null) registers[e.name] = hexOf(c.state.reg(e.id));
    else for (let i = 0; i < e.count; i++) registers[`${e.name}[${i}]`] = hexOf(c.state.reg(e.id, i));
  }
  const memory = [...c.state.memory].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([a, v]) => ({ address: hexOf(a), value: hexOf(v) }));
  return { label, level: levelOf(isa, c.state), pc: hexOf(c.state.pc), registers, memory };
}

/** The instruction word a model chose (the encoding, then its bits). */
function wordOf(model: Z3Model, ops: SymOperands): { encoding: number; word: bigint } {
  const value = (t: BV) => modelValue(model, t);
  const encoding = ops.selector ? Math.min(Number(value(ops.selector)), ops.words.length - 1) : 0;
  return { encoding, word: value(ops.words[encoding]!) };
}
