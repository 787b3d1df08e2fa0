/**
 * The user-level semantic check: random programs (generate.ts) run on popek's machine and on the
 * peer; the final user states must be equal. A mismatch is shrunk (shrink.ts) and reported with its
 * listing, both states and the first differing element.
 */
import type * as IR from "../ir/ir.js";
import { formatInstruction } from "../machine/disassembler.js";
import { compareOutcomes, type Difference } from "./compare.js";
import { encodingOf, wordOf } from "../programs/forms.js";
import { Generator, STEPS_PER_INSTRUCTION } from "./generate.js";
import { PeerSide } from "./on-peer.js";
import { PopekSide, type Outcome } from "./on-popek.js";
import type { Peer } from "./peer.js";
import { layOut, type Program } from "./program.js";
import { Random } from "../programs/random.js";
import { shrinkProgram } from "./shrink.js";
import { Workdir } from "./tools.js";

export interface SemanticOptions {
  readonly runs: number;
  readonly seed: number;
  /** Instructions per program. */
  readonly length: number;
  /** Stop after this many mismatches (each is shrunk, which takes time). */
  readonly maxMismatches?: number;
  readonly onProgram?: (done: number) => void;
}

export interface Mismatch {
  /** The seed that regenerates the original program (`--seed S --runs 1` with the same length). */
  readonly seed: number;
  readonly program: Program;
  /** Address, units and popek's disassembly of each instruction of the shrunk program. */
  readonly listing: readonly string[];
  readonly popek: Outcome;
  readonly peer: Outcome | null;
  /** Set when the peer did not produce a state (crash, time-out). */
  readonly peerError: string | null;
  readonly differences: readonly Difference[];
}

export interface SemanticReport {
  readonly peer: string;
  readonly programs: number;
  readonly instructions: number;
  /** Programs the generator gave up on (no usable program for that seed). */
  readonly unusable: number;
  readonly repairs: number;
  readonly mismatches: readonly Mismatch[];
  readonly seconds: number;
  /** How often each instruction the generator may use was executed, on the programs checked. */
  readonly executed: ReadonlyMap<string, number>;
}

type Checked =
  | { readonly kind: "unusable" }
  | { readonly kind: "ok" }
  | { readonly kind: "mismatch"; readonly popek: Outcome; readonly peer: Outcome | null; readonly peerError: string | null; readonly differences: readonly Difference[] };

export class SemanticCheck {
  readonly popek: PopekSide;
  readonly generator: Generator;
  private readonly peerSide: PeerSide;

  constructor(
    readonly isa: IR.Isa,
    readonly peer: Peer,
    private readonly work: Workdir,
  ) {
    this.popek = new PopekSide(isa, peer);
    this.generator = new Generator(isa, peer, this.popek);
    this.peerSide = new PeerSide(peer, work);
  }

  /** Runs one program on both sides. */
  check(program: Program): Checked {
    const laid = layOut(this.isa, this.peer, program.slots);
    if (!laid.ok) return { kind: "unusable" };
    const steps = STEPS_PER_INSTRUCTION * Math.max(1, program.slots.length);
    const ours = this.popek.run(program, laid, steps, (s) => s[0]!);
    if (!ours.ok) return { kind: "unusable" };
    const theirs = this.peerSide.run(this.peerSide.build(program, laid.code));
    if (!theirs.ok) return { kind: "mismatch", popek: ours.outcomes[0]!, peer: null, peerError: theirs.message, differences: [] };
    const diff = compareOutcomes(this.peer, ours.outcomes, theirs.outcome);
    if (!diff) return { kind: "ok" };
    return { kind: "mismatch", popek: ours.outcomes[0]!, peer: theirs.outcome, peerError: null, differences: diff };
  }

  /** Address, units and disassembly of each instruction. */
  listing(program: Program): string[] {
    const laid = layOut(this.isa, this.peer, program.slots);
    if (!laid.ok) return ["(cannot be laid out)"];
    return laid.forms.map((form, i) => {
      const pc = laid.addresses[i]!;
      const units = laid.code.slice(Number(pc - this.peer.layout.prog), Number(laid.addresses[i + 1]! - this.peer.layout.prog));
      const d = this.generator.decoder.decodeWord(wordOf(this.isa, form), encodingOf(this.isa, form).length);
      const bytes = units.map((u) => u.toString(16).padStart(2, "0")).join(" ");
      const text = d ? formatInstruction(d, { pc, isa: this.isa }) : "(does not decode)";
      return `0x${pc.toString(16)}  ${bytes.padEnd(24)} ${text}`;
    });
  }

  /** A campaign of `runs` programs. */
  campaign(options: SemanticOptions): SemanticReport {
    const started = performance.now();
    const master = new Random(options.seed);
    const mismatches: Mismatch[] = [];
    const executed = new Map<string, number>(this.generator.candidates.map((i) => [i.name, 0]));
    let programs = 0;
    let instructions = 0;
    let unusable = 0;
    let repairs = 0;
    for (let n = 0; n < options.runs; n++) {
      const seed = master.u32();
      const g = this.generator.generate(new Random(seed), options.length);
      options.onProgram?.(n + 1);
      if (!g) {
        unusable++;
        continue;
      }
      repairs += g.repairs;
      programs++;
      instructions += g.program.slots.length;
      for (const name of g.run.executed) executed.set(name, (executed.get(name) ?? 0) + 1);
      const c = this.check(g.program);
      if (c.kind !== "mismatch") continue;
      const small = shrinkProgram(g.program, (p) => this.check(p).kind === "mismatch");
      const again = this.check(small);
      const final = again.kind === "mismatch" ? again : c;
      const program = again.kind === "mismatch" ? small : g.program;
      mismatches.push({ seed, program, listing: this.listing(program), popek: final.popek, peer: final.peer, peerError: final.peerError, differences: final.differences });
      if (mismatches.length >= (options.maxMismatches ?? 5)) break;
    }
    return { peer: this.peer.name, programs, instructions, unusable, repairs, mismatches, seconds: (performance.now() - started) / 1000, executed };
  }
}

/** Runs a semantic campaign in a scratch directory. */
export function semanticCampaign(isa: IR.Isa, peer: Peer, options: SemanticOptions): SemanticReport {
  const work = new Workdir();
  try {
    return new SemanticCheck(isa, peer, work).campaign(options);
  } finally {
    work.dispose();
  }
}
