/**
 * Concrete search for existential claims ("some guest-level state in which the instruction
 * completes", "some state in which it changes control state"): random states at the wanted
 * privilege level, the instruction placed at the PC with random operands, one step on the reference
 * interpreter. A state that shows the claim is a witness as good as a solver model - it is replayed
 * the same way - and usually far cheaper to find: an unrolled 256-byte copy is a large formula but a
 * quick run. A search that finds nothing proves nothing; the classifier then asks the solver.
 */
import * as IR from "../ir/ir.js";
import { withBits } from "../ir/bitops.js";
import { evalPure, extractField } from "../ir/pure.js";
import { walkReachable } from "../ir/walk.js";
import { Decoder, type Decoded } from "../machine/decoder.js";
import { formatInstruction } from "../machine/disassembler.js";
import { Interpreter, TrapSignal } from "../machine/interpreter.js";
import { MachineState } from "../machine/state.js";
import { changedResults, controlChanges, resultDifferences, samePresentation } from "./compare.js";
import { comparedConstants, comparedRegisterFields, type RegisterField } from "./dictionary.js";
import { replay, translateIn, translatorOf, type Concrete, type ReplayOutcome } from "./replay.js";
import type { StateSets } from "./state-sets.js";

/** Which states to draw: the guest level under the configuration, the levels above it, or any level. */
export type LevelChoice = "guest" | "above" | "any";

/** An instruction word fixed by an earlier witness (so two witnesses share their operands). */
export interface FixedWord {
  readonly encoding: number;
  readonly word: bigint;
}

export interface SampleRequest {
  readonly level: LevelChoice;
  readonly want: (o: ReplayOutcome, c: Concrete) => boolean;
  readonly word?: FixedWord;
  readonly tries: number;
}

export interface Sample {
  readonly concrete: Concrete;
  readonly outcome: ReplayOutcome;
  readonly word: FixedWord;
}

/** A small seeded generator (mulberry32), so analyses are reproducible. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  bits(width: number): bigint {
    let v = 0n;
    for (let done = 0; done < width; done += 32) v = (v << 32n) | BigInt(Math.floor(this.next() * 4294967296));
    return BigInt.asUintN(width, v);
  }
  /** Random bits, but often a small or extreme value, which exercise boundaries more than uniform ones. */
  interesting(width: number): bigint {
    switch (this.int(6)) {
      case 0: return 0n;
      // Small values, kept to the width: a 1-bit register drawn as 3 gave the interpreter states
      // the machine cannot be in (regression: a concrete "location pair" brute force refutes).
      case 1: return BigInt.asUintN(width, BigInt(this.int(16)));
      case 2: return BigInt.asUintN(width, -1n - BigInt(this.int(4)));
      default: return this.bits(width);
    }
  }
}

/** Deterministic seed per instruction and claim. */
export function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class StateSampler {
  private readonly decoder: Decoder;
  private readonly eithers: readonly IR.Stmt[];
  /** Constants the semantics compare against, by width: field values drawn half the time (see dictionary.ts). */
  private readonly dictionary: ReadonlyMap<number, readonly bigint[]>;
  /** Register fields the semantics compare with constants: drawn as one of them half the time. */
  private readonly fields: ReadonlyMap<number, readonly RegisterField[]>;

  constructor(
    private readonly isa: IR.Isa,
    private readonly instr: IR.Instruction,
    private readonly config: IR.GuestConfig,
    private readonly sets: StateSets,
  ) {
    this.decoder = Decoder.of(isa);
    this.eithers = collectEithers(isa, instr.body);
    this.dictionary = comparedConstants(isa, instr.body);
    this.fields = comparedRegisterFields(isa, instr.body);
  }

  /** Draws up to `tries` states; the first that shows the claim, or null. */
  search(req: SampleRequest, rng: Rng): Sample | null {
    for (let t = 0; t < req.tries; t++) {
      const drawn = this.draw(req, rng, t);
      if (!drawn) continue;
      const outcome = replay(this.isa, drawn.concrete);
      if (outcome.error || outcome.executed !== this.instr.name) continue;
      if (req.want(outcome, drawn.concrete)) return { concrete: drawn.concrete, outcome, word: drawn.word };
    }
    return null;
  }

  private draw(req: SampleRequest, rng: Rng, t: number): { concrete: Concrete; word: FixedWord } | null {
    const isa = this.isa;
    const s = new MachineState(isa);
    // Alternate between reset control state (usually a sane translation) and random control state.
    const randomControl = t % 3 === 2;
    for (const e of isa.state) {
      if (e.isPc) continue;
      if (e.role === "control" && !randomControl) continue;
      for (let i = 0; i < (e.count ?? 1); i++) s.setReg(e.id, i, this.drawRegister(e, rng));
    }
    const levels = req.level === "guest" ? [this.config.guestLevel]
      : req.level === "above" ? [...Array(this.config.guestLevel).keys()]
      : [...isa.privilege.levels.keys()];
    if (levels.length === 0) return null;
    const level = isa.privilege.levels[levels[rng.int(levels.length)]!]!;
    if (!this.setMode(s, level.values[rng.int(level.values.length)]!)) return null;
    if (req.level === "guest" && !this.meetConfig(s)) return null;

    const word = req.word ?? this.randomWord(rng);
    if (!word) return null;
    const enc = this.instr.encodings[word.encoding]!;
    const { fetchUnit, unitWidth, endian } = isa.memory;
    const per = fetchUnit / unitWidth;
    // Mostly a small PC (near where reset translation maps), sometimes anywhere.
    const slots = rng.int(4) === 0 ? 1n << BigInt(isa.vaddrWidth) : 4096n;
    s.pc = BigInt.asUintN(isa.vaddrWidth, (rng.bits(isa.vaddrWidth) % slots) / BigInt(per) * BigInt(per));
    const interp = new Interpreter(isa, s.clone());
    const code = new Set<bigint>();
    for (let f = 0; f < enc.length / fetchUnit; f++) {
      const va = BigInt.asUintN(isa.vaddrWidth, s.pc + BigInt(f * per));
      let pa: bigint;
      try {
        pa = interp.translate(va, IR.ACCESS.FETCH);
      } catch (e) {
        if (e instanceof TrapSignal) return null;
        throw e;
      }
      for (let u = 0; u < per; u++) {
        const inFetch = endian === "big" ? u : per - 1 - u;
        const lo = enc.length - f * fetchUnit - inFetch * unitWidth - unitWidth;
        const at = BigInt.asUintN(isa.memory.addrWidth, pa + BigInt(u));
        code.add(at);
        s.writeUnit(at, BigInt.asUintN(unitWidth, word.word >> BigInt(lo)));
      }
    }
    const choices = new Map<IR.Stmt, number[]>();
    for (const st of this.eithers) {
      const n = st.kind === "either" ? st.branches.length : 1;
      choices.set(st, Array.from({ length: 8 }, () => rng.int(n)));
    }
    const decoded = this.decoder.decodeWord(word.word, enc.length);
    const concrete = lazyAssembly({ state: s, decoded, choices }, () => (decoded ? formatInstruction(decoded, { pc: s.pc, isa }) : `(word 0x${word.word.toString(16)})`));
    if (t % 2 === 1) this.fillReads(concrete, code, rng);
    return { concrete, word };
  }

  /**
   * A random register value, each field the semantics compare with constants set to one of them
   * half the time (see comparedRegisterFields).
   */
  private drawRegister(e: IR.StateElement, rng: Rng): bigint {
    let v = rng.interesting(e.width);
    for (const f of this.fields.get(e.id) ?? []) {
      if (rng.int(2) === 0) continue;
      v = withBits(v, f.lo + f.width - 1, f.lo, f.values[rng.int(f.values.length)]!);
    }
    return v;
  }

  /**
   * Gives the memory the instruction reads random contents (twice: what it reads may depend on
   * what it read): in a state whose memory is zero, table-driven instructions fail the same way
   * everywhere (an x86 LSL finds no valid descriptor, in either state of a location pair).
   */
  private fillReads(concrete: Concrete, code: ReadonlySet<bigint>, rng: Rng): void {
    const s = concrete.state;
    const w = this.isa.memory.addrWidth;
    for (let round = 0; round < 2; round++) {
      const outcome = replay(this.isa, concrete);
      if (outcome.error) return;
      for (const u of outcome.units) {
        if (u.kind !== "read") continue;
        const base = translateIn(this.isa, s, u.va);
        if (base === null) continue;
        const pa = BigInt.asUintN(w, base + BigInt(u.offset));
        if (!code.has(pa)) s.writeUnit(pa, rng.interesting(this.isa.memory.unitWidth));
      }
    }
  }

  /**
   * The counterpart of a witness at the guest level - the same state with the mode field set to a
   * guest value and each user-visible banked register presented as the witness saw it - if it
   * completes there (a Theorem 1 problem: the VMM would get no trap).
   */
  counterpart(w: Sample): Sample | null {
    for (const s of this.counterpartStates(w.concrete.state)) {
      const concrete = withState(w.concrete, s);
      const outcome = replay(this.isa, concrete);
      if (!outcome.error && outcome.executed === this.instr.name && outcome.trap === null) return { concrete, outcome, word: w.word };
    }
    return null;
  }

  /**
   * A mode-sensitivity witness by concrete search: a state above the guest level and its
   * counterpart (same choices), both completing, presenting the same memory, with different
   * results.
   */
  searchModePair(tries: number, rng: Rng): [Sample, Sample] | null {
    for (let t = 0; t < tries; t++) {
      const drawn = this.draw({ level: "above", want: () => true, tries: 1 }, rng, t);
      if (!drawn) continue;
      const oa = replay(this.isa, drawn.concrete);
      if (oa.error || oa.executed !== this.instr.name || oa.trap !== null) continue;
      const pair = this.modePairFrom({ concrete: drawn.concrete, outcome: oa, word: drawn.word });
      if (pair) return pair;
    }
    return null;
  }

  /**
   * A mode-sensitivity witness from a state above the guest level in which the instruction
   * completes (one already found, e.g. by the solver): it and its counterpart at the guest level,
   * if that completes too, presents the same memory and gives different results.
   */
  modePairFrom(a: Sample): [Sample, Sample] | null {
    if (a.outcome.error || a.outcome.executed !== this.instr.name || a.outcome.trap !== null) return null;
    for (const s of this.counterpartStates(a.concrete.state)) {
      const concrete = withState(a.concrete, s);
      const ob = replay(this.isa, concrete);
      if (ob.error || ob.executed !== this.instr.name || ob.trap !== null) continue;
      if (!samePresentation(this.isa, a.outcome, ob) || resultDifferences(this.isa, a.outcome, ob).length === 0) continue;
      return [a, { concrete, outcome: ob, word: a.word }];
    }
    return null;
  }

  /**
   * A location-sensitivity witness by concrete search: a state (at the guest level, or at any level)
   * and a second one with the same user state, time and mode but other control state, whose memory
   * is filled so that it presents the program what the first one does at every unit either run
   * touches; both complete, with different results. The pair is then checked exactly as a solver's
   * would be (samePresentation, resultDifferences) and replayed.
   *
   * What the second state changes is directed by the first run: a run that reads none of the cells
   * changed is the same run in both states, so most second states change control cells the first
   * run read - a field of one, one, or some of them - and the rest redraw every control element (as
   * a new placement would; see redrawControl). A first state whose run does something no earlier one
   * did (a new set of changed results: an x86 LSL that finds a valid descriptor and writes its
   * destination) gets several second states, since the pairs worth having are usually around the
   * rare runs.
   */
  searchLocationPair(tries: number, rng: Rng, level: "guest" | "any"): [Sample, Sample] | null {
    const seen = new Set<string>();
    for (let t = 0; t < tries; t++) {
      const drawn = this.draw({ level, want: () => true, tries: 1 }, rng, t);
      if (!drawn) continue;
      const { outcome, reads } = this.replayReading(drawn.concrete);
      if (outcome.error || outcome.executed !== this.instr.name || outcome.trap !== null) continue;
      const signature = runSignature(this.isa, outcome);
      const seconds = seen.has(signature) ? 1 : NOVEL_RUN_SECONDS;
      seen.add(signature);
      const pair = this.locationPairFrom({ concrete: drawn.concrete, outcome, word: drawn.word }, seconds, rng, level, reads);
      if (pair) return pair;
    }
    return null;
  }

  /** Location pairs whose first state is this one, a completing run at the wanted level (one the solver found, say). */
  locationPairNear(first: Sample, tries: number, rng: Rng, level: "guest" | "any"): [Sample, Sample] | null {
    if (first.outcome.error || first.outcome.executed !== this.instr.name || first.outcome.trap !== null) return null;
    return this.locationPairFrom(first, tries, rng, level, this.replayReading(first.concrete).reads);
  }

  /**
   * Location pairs whose first state is this one (a completing run at the wanted level, which read
   * these register cells): `tries` second states with other control state (redrawControl), each
   * presented the same memory.
   */
  private locationPairFrom(first: Sample, tries: number, rng: Rng, level: "guest" | "any", reads: readonly (readonly [number, number])[]): [Sample, Sample] | null {
    const isa = this.isa;
    const others = isa.state.filter((e) => e.role === "control" && !this.sets.timing.has(e.id));
    if (others.length === 0) return null;
    const a = first.concrete.state;
    const cells = reads.filter(([id]) => others.some((e) => e.id === id));
    const mode = this.evalState(a, isa.privilege.element);
    const inA = translatorOf(isa, a);
    for (let k = 0; k < tries; k++) {
      const s = a.clone();
      this.redrawControl(s, others, cells, rng);
      if (!this.setMode(s, mode)) continue;
      if (level === "guest" && !this.meetConfig(s)) continue;
      const { pair, second } = this.presented(first, s, inA);
      const found = pair ?? (k % RELOCATE_EVERY === 0 ? this.relocatedPair(first, s, inA, second) : null);
      if (found) return found;
    }
    return null;
  }

  /**
   * The pair of a first run and a second state whose run went elsewhere: where the second run's
   * accesses, taken in order, reach other virtual units than the first's (a descriptor read from
   * the second state's own table, at another linear address), both states are given there what the
   * first run read at its own unit - the same table at another place, which is what another
   * placement of the program is - and the pair is tried again (three rounds: the second run may
   * then go further). x86's LTR at ring 0 needs a valid TSS descriptor at both places; a drawn
   * second state almost never has one, and the solver took 2.3 M units to find the pair.
   */
  private relocatedPair(first: Sample, s: MachineState, inA: (va: bigint) => bigint | null, second: ReplayOutcome): [Sample, Sample] | null {
    const isa = this.isa;
    const w = isa.memory.addrWidth;
    let a = first.concrete.state;
    let oa = first.outcome;
    let ob = second;
    for (let round = 0; round < 3; round++) {
      if (round > 0) inA = translatorOf(isa, a);
      // What the first run touches must stay as it is: its run is the pair's first run.
      const touched = new Set<bigint>();
      for (const u of oa.units) {
        const pa = inA(u.va);
        if (pa !== null) touched.add(BigInt.asUintN(w, pa + BigInt(u.offset)));
      }
      const inB = translatorOf(isa, s);
      let copied = false;
      a = a === first.concrete.state ? a.clone() : a;
      for (let i = 0; i < Math.min(oa.units.length, ob.units.length); i++) {
        const ua = oa.units[i]!;
        const ub = ob.units[i]!;
        if (ua.kind !== ub.kind || (ua.va === ub.va && ua.offset === ub.offset)) continue;
        const from = inA(ua.va);
        const toA = inA(ub.va);
        const toB = inB(ub.va);
        if (from === null || toA === null || toB === null) continue;
        const at = BigInt.asUintN(w, toA + BigInt(ub.offset));
        if (touched.has(at)) continue;
        const value = a.readUnit(BigInt.asUintN(w, from + BigInt(ua.offset)));
        a.writeUnit(at, value);
        s.writeUnit(BigInt.asUintN(w, toB + BigInt(ub.offset)), value);
        copied = true;
      }
      if (!copied) return null;
      const moved: Sample = { concrete: withState(first.concrete, a), outcome: replay(isa, withState(first.concrete, a)), word: first.word };
      if (moved.outcome.error || moved.outcome.executed !== this.instr.name || moved.outcome.trap !== null) return null;
      const { pair } = this.presented(moved, s, translatorOf(isa, a));
      if (pair) return pair;
      oa = moved.outcome;
      ob = replay(isa, withState(first.concrete, s));
    }
    return null;
  }

  /**
   * Other control state for a location pair's second state: one named field of one control cell
   * the first run read (a random byte of it, if it has no fields), or the whole cell (3/8 each), a
   * random half of those cells (1/8), or every control element (1/8; also when the run read none).
   * A field keeps the rest of the cell as it was: an x86 segment register with another base is
   * another placement; with all 96 bits redrawn it is almost never a usable segment.
   */
  private redrawControl(s: MachineState, others: readonly IR.StateElement[], cells: readonly (readonly [number, number])[], rng: Rng): void {
    const pick = rng.int(8);
    if (cells.length === 0 || pick === 0) {
      for (const e of others) for (let i = 0; i < (e.count ?? 1); i++) s.setReg(e.id, i, rng.interesting(e.width));
      return;
    }
    if (pick === 7) {
      const some = cells.filter(() => rng.int(2) === 0);
      for (const [id, i] of some.length ? some : [cells[0]!]) s.setReg(id, i, rng.interesting(this.isa.state[id]!.width));
      return;
    }
    const [id, i] = cells[rng.int(cells.length)]!;
    const e = this.isa.state[id]!;
    if (pick <= 3) {
      s.setReg(id, i, rng.interesting(e.width));
      return;
    }
    const fields = [...e.fields.values()];
    const lo = fields.length ? 0 : 8 * rng.int(Math.ceil(e.width / 8));
    const { hi, lo: from } = fields.length ? fields[rng.int(fields.length)]! : { hi: Math.min(e.width - 1, lo + 7), lo };
    s.setReg(id, i, withBits(s.reg(id, i), hi, from, rng.interesting(hi - from + 1)));
  }

  /**
   * The pair of a first run and a second state: the second's memory filled so that it presents what
   * the first presents at every unit either run touches (three rounds: what the second run touches
   * depends on what it reads), then both checked as a solver's pair would be. With the second state's
   * last run (the pair's, when there is one).
   */
  private presented(first: Sample, s: MachineState, inA: (va: bigint) => bigint | null): { pair: [Sample, Sample] | null; second: ReplayOutcome } {
    const isa = this.isa;
    const a = first.concrete.state;
    const oa = first.outcome;
    const w = isa.memory.addrWidth;
    let ob = replay(isa, withState(first.concrete, s));
    for (let round = 0; round < 3; round++) {
      const inB = translatorOf(isa, s);
      let changed = false;
      for (const u of [...oa.units, ...ob.units]) {
        const pa = inA(u.va);
        const pb = inB(u.va);
        if (pa === null || pb === null) continue;
        const at = BigInt.asUintN(w, pb + BigInt(u.offset));
        const value = a.readUnit(BigInt.asUintN(w, pa + BigInt(u.offset)));
        if (s.readUnit(at) === value) continue;
        s.writeUnit(at, value);
        changed = true;
      }
      // Nothing written: the last run is the run of this state.
      if (!changed) break;
      ob = replay(isa, withState(first.concrete, s));
    }
    const concrete = withState(first.concrete, s);
    if (ob.error || ob.executed !== this.instr.name || ob.trap !== null) return { pair: null, second: ob };
    if (!samePresentation(isa, oa, ob) || resultDifferences(isa, oa, ob).length === 0) return { pair: null, second: ob };
    return { pair: [first, { concrete, outcome: ob, word: first.word }], second: ob };
  }

  /** A replay that also tells which register cells (element, index) the step read (and tells onBranch its decisions). */
  private replayReading(c: Concrete, onBranch?: (node: object, taken: boolean) => void): { outcome: ReplayOutcome; reads: (readonly [number, number])[] } {
    const log = { on: true, cells: new Map<number, readonly [number, number]>() };
    const outcome = replay(this.isa, withState(c, ReadLoggingState.of(c.state, log)), onBranch);
    log.on = false;
    return { outcome, reads: [...log.cells.values()] };
  }

  /**
   * Mutational search, as a coverage-guided fuzzer does it: states made from runs already found (at
   * this level) by changing a few things the run read - a unit of memory, a register cell, a field
   * of one - each replayed; a run that takes a decision of the semantics a way no earlier run took
   * it, or ends unlike every earlier one (other results changed, another trap), joins the corpus the
   * next mutants are made from, and if it completes, `goal` is asked of it. Runs that went further
   * are the steps towards rare ones: an x86 LAR at the guest level whose selector falls within the
   * GDT reads a descriptor, and from it one visible at ring 3 sets ZF - the run around which its
   * location pair is, and which the solver took 0.65 M units per query to find. The mode is kept
   * (and the configuration met) in every mutant. At most `tries` mutants, and `stall` after the
   * last new run.
   */
  fuzz<T>(seeds: readonly (Sample | null)[], level: LevelChoice, tries: number, stall: number, rng: Rng, goal: (x: Sample, novel: boolean) => T | null): T | null {
    const isa = this.isa;
    const corpus: { sample: Sample; reads: readonly (readonly [number, number])[] }[] = [];
    const covered = new Set<number>();
    const endings = new Set<string>();
    // Whether a run is new: a decision taken a new way, or a new ending; what it covered is noted.
    const novel = (o: ReplayOutcome, edges: ReadonlySet<number>): boolean => {
      let fresh = false;
      for (const e of edges) if (!covered.has(e)) (fresh = true), covered.add(e);
      const ending = `${runSignature(isa, o)}|${o.trap ? o.trap.cause.name : "ok"}`;
      if (!endings.has(ending)) (fresh = true), endings.add(ending);
      return fresh;
    };
    for (const x of seeds) {
      if (!x || !this.shows(x, { level, want: () => true })) continue;
      const { outcome, reads, edges } = this.replayCovering(x.concrete);
      if (novel(outcome, edges)) corpus.push({ sample: x, reads });
    }
    let last = 0;
    for (let t = 0; t < tries && t - last < stall && corpus.length; t++) {
      // The newest entries more often: they are the ones that went furthest.
      const parent = corpus[rng.int(2) === 0 ? corpus.length - 1 : rng.int(corpus.length)]!;
      const from = parent.sample.concrete.state;
      const mode = this.evalState(from, isa.privilege.element);
      const s = from.clone();
      const n = 1 + rng.int(MAX_MUTATIONS);
      for (let m = 0; m < n; m++) this.mutate(s, parent.sample.outcome, parent.reads, rng);
      if (!this.setMode(s, mode)) continue;
      if (level === "guest" && !this.meetConfig(s)) continue;
      const concrete = withState(parent.sample.concrete, s);
      let { outcome, reads, edges } = this.replayCovering(concrete);
      // Memory the parent's run did not read, given random contents and run again: a descriptor
      // table the mutant now reaches is zero in most states, and a zero descriptor fails every test.
      if (this.fillNewReads(s, parent.sample.outcome, outcome, rng)) ({ outcome, reads, edges } = this.replayCovering(concrete));
      if (outcome.error || outcome.executed !== this.instr.name || outcome.trap !== null) continue;
      const sample = { concrete, outcome, word: parent.sample.word };
      const fresh = novel(outcome, edges);
      if (fresh) {
        corpus.push({ sample, reads });
        last = t;
      }
      const found = goal(sample, fresh);
      if (found) return found;
    }
    return null;
  }

  /** Gives the units this run read and that one did not random contents; whether there were any. */
  private fillNewReads(s: MachineState, before: ReplayOutcome, after: ReplayOutcome, rng: Rng): boolean {
    const isa = this.isa;
    const w = isa.memory.addrWidth;
    const inS = translatorOf(isa, s);
    const inBefore = translatorOf(isa, before.initial);
    const old = new Set<bigint>();
    for (const u of before.units) {
      const pa = inBefore(u.va);
      if (pa !== null) old.add(BigInt.asUintN(w, pa + BigInt(u.offset)));
    }
    let any = false;
    for (const u of after.units) {
      if (u.kind !== "read") continue;
      const pa = inS(u.va);
      if (pa === null) continue;
      const at = BigInt.asUintN(w, pa + BigInt(u.offset));
      if (old.has(at)) continue;
      old.add(at);
      s.writeUnit(at, rng.interesting(isa.memory.unitWidth));
      any = true;
    }
    return any;
  }

  /** A replay that also tells which register cells the step read and which way each decision went (node number * 2 + taken). */
  private replayCovering(c: Concrete): { outcome: ReplayOutcome; reads: (readonly [number, number])[]; edges: Set<number> } {
    const edges = new Set<number>();
    const { outcome, reads } = this.replayReading(c, (node, taken) => {
      let id = this.nodeIds.get(node);
      if (id === undefined) this.nodeIds.set(node, (id = this.nodeIds.size));
      edges.add(id * 2 + (taken ? 1 : 0));
    });
    return { outcome, reads, edges };
  }

  /** A number for each decision node of the semantics the mutational search has seen taken. */
  private readonly nodeIds = new Map<object, number>();

  /**
   * One mutation of a state whose run made these accesses and read these register cells: a unit of
   * memory it read (a random value or one bit flipped), or a cell it read (a named field redrawn -
   * from the dictionary half the time -, one bit flipped, or the whole cell redrawn). Never the PC:
   * the instruction is where it is.
   */
  private mutate(s: MachineState, o: ReplayOutcome, reads: readonly (readonly [number, number])[], rng: Rng): void {
    const isa = this.isa;
    const units = o.units.filter((u) => u.kind === "read");
    const cells = reads.filter(([id]) => !isa.state[id]!.isPc);
    if (units.length && (cells.length === 0 || rng.int(2) === 0)) {
      const u = units[rng.int(units.length)]!;
      const base = translateIn(isa, s, u.va);
      if (base === null) return;
      const pa = BigInt.asUintN(isa.memory.addrWidth, base + BigInt(u.offset));
      const width = isa.memory.unitWidth;
      s.writeUnit(pa, rng.int(2) === 0 ? rng.interesting(width) : s.readUnit(pa) ^ (1n << BigInt(rng.int(width))));
      return;
    }
    if (cells.length === 0) return;
    const [id, i] = cells[rng.int(cells.length)]!;
    const e = isa.state[id]!;
    const pick = rng.int(3);
    const fields = [...e.fields.values()];
    if (pick === 0 && fields.length) {
      const f = fields[rng.int(fields.length)]!;
      const known = this.fields.get(id)?.filter((x) => x.lo === f.lo && x.width === f.hi - f.lo + 1) ?? [];
      const v = known.length && rng.int(2) === 0 ? known[0]!.values[rng.int(known[0]!.values.length)]! : rng.interesting(f.hi - f.lo + 1);
      s.setReg(id, i, withBits(s.reg(id, i), f.hi, f.lo, v));
    } else if (pick === 1) {
      s.setReg(id, i, s.reg(id, i) ^ (1n << BigInt(rng.int(e.width))));
    } else {
      s.setReg(id, i, this.drawRegister(e, rng));
    }
  }

  /**
   * The same from a state at the guest level in which the instruction completes: it is the pair's
   * guest run, and the same state at each mode value above the guest level (banked registers
   * presented) the other.
   */
  modePairBelow(b: Sample): [Sample, Sample] | null {
    if (b.outcome.error || b.outcome.executed !== this.instr.name || b.outcome.trap !== null) return null;
    const above = this.isa.privilege.levels.slice(0, this.config.guestLevel).flatMap((l) => l.values);
    for (const s of this.statesAt(b.concrete.state, above, false)) {
      const concrete = withState(b.concrete, s);
      const pair = this.modePairFrom({ concrete, outcome: replay(this.isa, concrete), word: b.word });
      if (pair) return pair;
    }
    return null;
  }

  /**
   * A timing dependency by concrete search: a guest-level state in which the instruction completes
   * (each of these seeds, then drawn ones) and the same state with its time-varying elements
   * redrawn, both completing with different results (a RISC-V counter read at the guest level).
   */
  searchTimingPair(tries: number, rng: Rng, seeds: readonly (Sample | null)[]): [Sample, Sample] | null {
    const isa = this.isa;
    const timing = isa.state.filter((e) => this.sets.timing.has(e.id));
    if (timing.length === 0) return null;
    const completes = (o: ReplayOutcome) => !o.error && o.executed === this.instr.name && o.trap === null;
    const firsts = [...seeds.filter((x): x is Sample => x !== null && this.shows(x, { level: "guest", want: completes }))];
    for (let t = 0; t < tries + firsts.length; t++) {
      const a = t < firsts.length ? firsts[t]! : this.drawCompleting(rng, t - firsts.length, completes);
      if (!a) continue;
      for (let k = 0; k < 4; k++) {
        const s = a.concrete.state.clone();
        for (const e of timing) for (let i = 0; i < (e.count ?? 1); i++) s.setReg(e.id, i, rng.interesting(e.width));
        if (!this.meetConfig(s)) continue;
        const concrete = withState(a.concrete, s);
        const ob = replay(isa, concrete);
        if (completes(ob) && resultDifferences(isa, a.outcome, ob).length > 0) return [a, { concrete, outcome: ob, word: a.word }];
      }
    }
    return null;
  }

  /** Draw number t at the guest level (control state and memory vary with t, as in search), if it completes. */
  private drawCompleting(rng: Rng, t: number, completes: (o: ReplayOutcome) => boolean): Sample | null {
    const drawn = this.draw({ level: "guest", want: completes, tries: 1 }, rng, t);
    if (!drawn) return null;
    const outcome = replay(this.isa, drawn.concrete);
    return completes(outcome) ? { concrete: drawn.concrete, outcome, word: drawn.word } : null;
  }

  /** Whether a state found for another question shows this claim: at the wanted level, and wanted. */
  shows(x: Sample, req: Omit<SampleRequest, "tries">): boolean {
    if (x.outcome.error || x.outcome.executed !== this.instr.name || (req.word && req.word.word !== x.word.word)) return false;
    const mode = this.evalState(x.concrete.state, this.isa.privilege.element);
    const level = this.isa.privilege.levels.findIndex((l) => l.values.includes(mode));
    const at = req.level === "any" ? level >= 0
      : req.level === "above" ? level >= 0 && level < this.config.guestLevel
      : level === this.config.guestLevel && this.config.requires.every((r) => this.evalState(x.concrete.state, r) === 1n);
    return at && req.want(x.outcome, x.concrete);
  }

  /** The state at each guest mode value that meets the configuration, banked registers presented. */
  private counterpartStates(from: MachineState): MachineState[] {
    return this.statesAt(from, this.isa.privilege.levels[this.config.guestLevel]!.values, true);
  }

  /** The state at each of these mode values (meeting the configuration if asked), banked registers presented. */
  private statesAt(from: MachineState, values: readonly bigint[], guest: boolean): MachineState[] {
    const isa = this.isa;
    const out: MachineState[] = [];
    for (const value of values) {
      const s = from.clone();
      if (!this.setMode(s, value)) continue;
      for (const bank of isa.banked) {
        if (bank.role !== "user") continue;
        const a = this.bankElement(from, bank);
        const b = this.bankElement(s, bank);
        if (a !== b) s.setReg(b, 0, from.reg(a));
      }
      if (!guest || this.config.requires.every((r) => this.evalState(s, r) === 1n)) out.push(s);
    }
    return out;
  }

  private bankElement(s: MachineState, bank: IR.BankedRegister): number {
    const sel = this.evalState(s, bank.selector);
    return (bank.banks.find((b) => b.values?.includes(sel)) ?? bank.banks.find((b) => b.values === null) ?? bank.banks[bank.banks.length - 1]!).element;
  }

  /** Random field values for a random encoding that satisfy its condition and decode as this instruction. */
  private randomWord(rng: Rng): FixedWord | null {
    for (let attempt = 0; attempt < 16; attempt++) {
      const k = rng.int(this.instr.encodings.length);
      const enc = this.instr.encodings[k]!;
      let word = enc.match;
      for (const f of enc.fields) {
        const known = this.dictionary.get(f.width);
        const v = known && rng.int(2) === 0 ? known[rng.int(known.length)]! : rng.interesting(f.width);
        for (const p of f.pieces) {
          const n = BigInt(p.encHi - p.encLo + 1);
          word |= ((v >> BigInt(p.fieldLo)) & ((1n << n) - 1n)) << BigInt(p.encLo);
        }
      }
      if (enc.where) {
        const ops = new Map(enc.fields.map((f) => [f.name, extractField(f, word)] as const));
        if (evalPure(enc.where, ops) !== 1n) continue;
      }
      const d = this.decoder.decodeWord(word, enc.length);
      if (d?.instruction.id === this.instr.id) return { encoding: k, word };
    }
    return null;
  }

  /** Writes a mode value into the bits the privilege element is read from; false if it cannot. */
  private setMode(s: MachineState, value: bigint): boolean {
    const entries = [...this.sets.mode];
    if (entries.length !== 1) return false;
    const [id, { hi, lo }] = entries[0]!;
    s.setReg(id, 0, withBits(s.reg(id), hi, lo, value));
    return this.evalState(s, this.isa.privilege.element) === value;
  }

  /** Makes the requirements it can hold (see meet), then whether the state meets the configuration. */
  private meetConfig(s: MachineState): boolean {
    for (const r of this.config.requires) this.meet(s, r);
    return this.config.requires.every((r) => this.evalState(s, r) === 1n);
  }

  /**
   * Makes a requirement of the form `register == constant` or `register.field == constant` hold by
   * writing the constant there (x86's `CR4.UMIP == 1` held in almost no random state, so the search
   * for a guest-level state found none and every instruction went to the solver). Other forms are
   * left to chance.
   */
  private meet(s: MachineState, r: IR.Expr): void {
    if (r.kind !== "binary" || r.op !== "eq" || r.right.kind !== "const") return;
    const value = r.right.value;
    const target = r.left;
    if (target.kind === "reg") {
      s.setReg(target.element, 0, value);
    } else if (target.kind === "slice" && target.value.kind === "reg") {
      const id = target.value.element;
      s.setReg(id, 0, withBits(s.reg(id), target.hi, target.lo, value));
    }
  }

  private evalState(s: MachineState, e: IR.Expr): bigint {
    return new Interpreter(this.isa, s).eval(e, { locals: [], operands: new Map(), nextPc: 0n });
  }
}

/**
 * A second state is also tried relocated (relocatedPair) once in this many: it costs up to nine
 * replays, and where no pair is there (an x86 far jump's) that was most of the search's time.
 */
const RELOCATE_EVERY = 4;

/** Mutations per mutant (fuzz): one or up to this many. */
const MAX_MUTATIONS = 3;

/** Second states tried for a first run whose signature (runSignature) the search has not seen before. */
const NOVEL_RUN_SECONDS = 8;

/** What a run did, coarsely: which visible results and control elements it changed, and whether it wrote memory. */
function runSignature(isa: IR.Isa, o: ReplayOutcome): string {
  const changed = changedResults(isa, o);
  const control = controlChanges(isa, o).map((d) => d.what);
  return `${changed.join(",")}|${control.join(",")}|${o.units.some((u) => u.kind === "write")}`;
}

/**
 * A machine state that notes which register cells are read while its log is on; its clones share
 * the log (replay runs a clone).
 */
class ReadLoggingState extends MachineState {
  /** The cells read, keyed by element and index (a register file has fewer than 2^16 entries). */
  private log!: { on: boolean; cells: Map<number, readonly [number, number]> };

  static of(from: MachineState, log: ReadLoggingState["log"]): ReadLoggingState {
    const s = new ReadLoggingState(from.isa, new Map(from.memory), from.regs.map((r) => r.slice()));
    s.output.push(...from.output);
    s.halted = from.halted;
    s.log = log;
    return s;
  }

  override clone(): MachineState {
    return ReadLoggingState.of(this, this.log);
  }

  override reg(element: number, index = 0): bigint {
    if (this.log.on) {
      const key = element * 65536 + index;
      if (!this.log.cells.has(key)) this.log.cells.set(key, [element, index]);
    }
    return super.reg(element, index);
  }
}

/** Every `either` the instruction may run, through the functions it calls. */
function collectEithers(isa: IR.Isa, body: readonly IR.Stmt[]): IR.Stmt[] {
  const out: IR.Stmt[] = [];
  walkReachable(isa, body, (n) => {
    if (n.kind === "either") out.push(n);
  });
  return out;
}

/**
 * A drawn state's assembly text, made only if someone reads it: most draws are thrown away, and
 * disassembling each one cost more than running it. A class, not an object given a getter of its
 * own: such an object V8 keeps as a dictionary, slower to make and to read (60 ms of the search).
 */
class DrawnConcrete implements Concrete {
  private text: string | (() => string);

  constructor(readonly state: MachineState, readonly decoded: Decoded | null, readonly choices: Map<IR.Stmt, number[]>, text: () => string) {
    this.text = text;
  }

  get assembly(): string {
    if (typeof this.text !== "string") this.text = this.text();
    return this.text;
  }
}

function lazyAssembly(c: Omit<Concrete, "assembly">, text: () => string): Concrete {
  return new DrawnConcrete(c.state, c.decoded, c.choices, text);
}

/** The same instruction and choices from another state (the assembly is the same: same word, same PC). */
function withState(c: Concrete, state: MachineState): Concrete {
  return lazyAssembly({ state, decoded: c.decoded, choices: c.choices }, () => c.assembly);
}
