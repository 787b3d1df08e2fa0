/**
 * A campaign of the equivalence property: program n of a campaign with seed S is generated from its
 * own seed (derived from S and n), so any range of programs can run anywhere - in this thread or a
 * worker - and the result does not depend on how the range was split. A divergence is shrunk to a
 * minimal case before it is reported.
 */
import type { Analysis } from "../analysis/analyze.js";
import { Random } from "../programs/random.js";
import { CaseGenerator, type GuestCase } from "./arbitrary.js";
import { checkEquivalence } from "./equivalence.js";
import { guestLayout } from "./layout.js";
import { formatEnding, type VmmTarget } from "./run.js";
import { shrinkGuestCase } from "./shrink.js";

export interface CampaignOptions {
  readonly seed: number;
  readonly length: number;
}

/** The seed of program n of a campaign. */
export function programSeed(seed: number, n: number): number {
  return new Random((seed ^ Math.imul(n + 1, 0x9e3779b9)) >>> 0).u32();
}

export interface Divergence {
  /** Index of the program in the campaign, and its own seed. */
  readonly index: number;
  readonly programSeed: number;
  readonly original: GuestCase;
  readonly shrunk: GuestCase;
}

export interface RangeResult {
  readonly programs: number;
  readonly instructions: number;
  readonly unusable: number;
  /** How the bare runs ended, by ending. */
  readonly endings: Map<string, number>;
  readonly divergences: Divergence[];
}

export function emptyResult(): RangeResult {
  return { programs: 0, instructions: 0, unusable: 0, endings: new Map(), divergences: [] };
}

export function mergeResult(into: RangeResult, r: RangeResult): RangeResult {
  const endings = new Map(into.endings);
  for (const [k, v] of r.endings) endings.set(k, (endings.get(k) ?? 0) + v);
  return {
    programs: into.programs + r.programs,
    instructions: into.instructions + r.instructions,
    unusable: into.unusable + r.unusable,
    endings,
    divergences: [...into.divergences, ...r.divergences].sort((a, b) => a.index - b.index),
  };
}

export class Campaign {
  readonly generator: CaseGenerator;

  constructor(
    readonly analysis: Analysis,
    readonly target: VmmTarget,
    readonly options: CampaignOptions,
  ) {
    this.generator = new CaseGenerator(analysis, guestLayout(analysis.isa, options.length), options.length);
  }

  get layout() {
    return this.generator.layout;
  }

  caseAt(n: number): GuestCase {
    return this.generator.generate(new Random(programSeed(this.options.seed, n)));
  }

  diverges(c: GuestCase): boolean {
    return checkEquivalence(this.target, this.layout, c).kind === "diverged";
  }

  /** Programs [from, to); stops after `maxDivergences` divergences (each is shrunk). */
  runRange(from: number, to: number, maxDivergences = 1, onProgram?: (n: number) => void): RangeResult {
    const r = emptyResult();
    let { programs, instructions, unusable } = r;
    for (let n = from; n < to; n++) {
      const c = this.caseAt(n);
      const checked = checkEquivalence(this.target, this.layout, c);
      onProgram?.(n);
      if (checked.kind === "unusable") {
        unusable++;
        continue;
      }
      programs++;
      instructions += c.slots.length;
      const ending = formatEnding(checked.bare.ending);
      r.endings.set(ending, (r.endings.get(ending) ?? 0) + 1);
      if (checked.kind === "diverged") {
        const shrunk = shrinkGuestCase(this.analysis.isa, this.analysis.config, c, (x) => this.diverges(x));
        r.divergences.push({ index: n, programSeed: programSeed(this.options.seed, n), original: c, shrunk });
        if (r.divergences.length >= maxDivergences) break;
      }
    }
    return { ...r, programs, instructions, unusable };
  }
}
