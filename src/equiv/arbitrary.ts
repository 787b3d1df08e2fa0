/**
 * Random guests, derived from the spec and the analyzer's verdict alone (nothing here knows an
 * ISA): an initial guest state - user registers pointing into the data area or the program now and
 * then, control registers at reset with a few perturbed, a random virtual privilege level (the most
 * privileged seven times in ten, where a VMM has the most to do), within the configuration's requires -
 * a data area of random units, and a program of instruction forms from the spec's encodings, a
 * good share of them privileged or sensitive and more still among the problem instructions of
 * Theorem 1, with branches that land on the program's own instruction boundaries. A program that
 * would trap or halt early on the bare machine has that instruction drawn again (four times in five),
 * so that programs run a good way before the trap they end in.
 */
import type { Analysis } from "../analysis/analyze.js";
import type * as IR from "../ir/ir.js";
import { Decoder } from "../machine/decoder.js";
import { randomForm } from "../programs/forms.js";
import { layOutSlots, pcrelFields, type Slot } from "../programs/layout.js";
import type { Random } from "../programs/random.js";
import { atLevel, resetRegisters, withinConfig, type Registers } from "./guest-state.js";
import type { GuestLayout } from "./layout.js";
import { imageOf, runBare } from "./run.js";

/** One test case of the equivalence property. */
export interface GuestCase {
  /** The guest's initial registers (its virtual machine state); the PC is the program's start. */
  readonly regs: Registers;
  /** The data area's initial units. */
  readonly data: readonly bigint[];
  readonly slots: readonly Slot[];
}

/** Instructions by what the analyzer found them to be. */
export interface Pools {
  /** Theorem 1's problems: sensitive where they are not privileged. */
  readonly problems: readonly IR.Instruction[];
  /** Privileged or sensitive, and not a problem. */
  readonly sensitive: readonly IR.Instruction[];
  readonly all: readonly IR.Instruction[];
}

export function poolsOf(analysis: Analysis): Pools {
  const usable = (i: IR.Instruction) => i.encodings.length > 0;
  const verdict = new Map(analysis.instructions.map((v) => [v.name, v]));
  const all = analysis.isa.instructions.filter(usable);
  const problems = all.filter((i) => verdict.get(i.name)?.vmmProblem === true);
  const sensitive = all.filter((i) => !problems.includes(i) && (verdict.get(i.name)?.privileged === true || verdict.get(i.name)?.sensitive === true));
  return { problems, sensitive, all };
}

export class CaseGenerator {
  readonly decoder: Decoder;
  private readonly isa: IR.Isa;
  private readonly control: readonly IR.StateElement[];

  constructor(
    readonly analysis: Analysis,
    readonly layout: GuestLayout,
    readonly length: number,
    readonly pools: Pools = poolsOf(analysis),
  ) {
    this.isa = analysis.isa;
    this.decoder = new Decoder(this.isa);
    this.control = this.isa.state.filter((e) => e.role === "control" && !e.isPc);
  }

  private dataAddress(rng: Random): bigint {
    return this.layout.data + BigInt(rng.below(this.layout.dataUnits));
  }

  /** An address on an instruction boundary of the program's first fetch units (indirect jumps). */
  private codeAddress(rng: Random): bigint {
    const step = this.isa.memory.fetchUnit / this.isa.memory.unitWidth;
    return this.layout.code + BigInt(step * rng.below(this.length + 1));
  }

  /** A register value: into the data area or the program, small, an edge, or anything. */
  private value(rng: Random, width: number): bigint {
    const r = rng.below(100);
    const v =
      r < 30 ? this.dataAddress(rng)
      : r < 40 ? this.codeAddress(rng)
      : r < 50 ? BigInt(rng.below(16))
      : r < 60 ? rng.pick([0n, 1n, -1n, 1n << BigInt(width - 1), (1n << BigInt(width - 1)) - 1n])
      : rng.bits(width);
    return BigInt.asUintN(width, v);
  }

  /** A control register's value: reset with one bit flipped, anything, or an address-like value. */
  private controlValue(rng: Random, e: IR.StateElement): bigint {
    const r = rng.below(4);
    if (r < 2) return BigInt.asUintN(e.width, e.reset ^ (1n << BigInt(rng.below(e.width))));
    if (r < 3) return rng.bits(e.width);
    return this.value(rng, e.width);
  }

  registers(rng: Random): Registers {
    let regs = resetRegisters(this.isa);
    for (const e of this.isa.state) {
      if (e.role !== "user" || e.isPc) continue;
      regs[e.id] = regs[e.id]!.map(() => this.value(rng, e.width));
    }
    // About a third of the programs start with one or two control registers away from reset.
    if (this.control.length && rng.chance(0.35)) {
      for (let k = 1 + rng.below(2); k > 0; k--) {
        const e = rng.pick(this.control);
        const i = rng.below(e.count ?? 1);
        regs[e.id]![i] = this.controlValue(rng, e);
      }
    }
    const levels = this.isa.privilege.levels.length;
    const level = levels > 1 && rng.chance(0.3) ? 1 + rng.below(levels - 1) : 0;
    regs = atLevel(this.isa, regs, level, rng.below(8));
    regs = withinConfig(this.analysis.config, regs);
    regs[this.isa.pc]![0] = this.layout.code;
    return regs;
  }

  /**
   * Redraws the instruction a program traps or halts at, while that is before half its length
   * (in four programs out of five: the rest keep their early trap, which is worth testing too).
   */
  private repair(rng: Random, regs: Registers, data: readonly bigint[], slots: Slot[]): void {
    if (rng.chance(0.2)) return;
    for (let tries = 0; tries < this.length / 4; tries++) {
      const c: GuestCase = { regs, data, slots };
      const image = imageOf(this.isa, this.layout, c);
      if (!image) return;
      // Only whether it stops before half the program matters: no need to run further.
      const half = Math.ceil(this.length / 2);
      const bare = runBare(this.isa, this.layout, c, image.units, half);
      if (bare.endPc === null || bare.steps >= half) return;
      // Outside the program (a jump, or data run as code): the instruction that went there.
      const at = (pc: bigint | null) => (pc === null ? -1 : image.laid.addresses.slice(0, -1).indexOf(pc));
      const i = at(bare.endPc) >= 0 ? at(bare.endPc) : at(bare.previousPc);
      if (i < 0) return;
      slots[i] = this.slot(rng, i);
    }
  }

  /** The pool an instruction is drawn from: problems a fifth of the time, privileged/sensitive three tenths. */
  private pickInstruction(rng: Random): IR.Instruction {
    const { problems, sensitive, all } = this.pools;
    const r = rng.below(100);
    if (r < 20 && problems.length) return rng.pick(problems);
    if (r < 50 && sensitive.length) return rng.pick(sensitive);
    return rng.pick(all);
  }

  /** A random instruction for slot i: its target, if it has a PC-relative field, is a slot of the program. */
  slot(rng: Random, i: number): Slot {
    const hints = [this.dataAddress(rng), this.dataAddress(rng), this.codeAddress(rng)];
    for (;;) {
      const instr = this.pickInstruction(rng);
      const encoding = rng.below(instr.encodings.length);
      const form = randomForm(this.isa, this.decoder, rng, instr.id, encoding, hints);
      if (!form) continue;
      const hasTarget = pcrelFields(instr.encodings[encoding]!).length > 0;
      const target = !hasTarget ? null : rng.chance(0.65) ? i + 1 + rng.below(this.length - i) : rng.below(i + 1);
      return { form, target };
    }
  }

  generate(rng: Random): GuestCase {
    const regs = this.registers(rng);
    const data = Array.from({ length: this.layout.dataUnits }, () => rng.bits(this.isa.memory.unitWidth));
    const slots = Array.from({ length: this.length }, (_, i) => this.slot(rng, i));
    // A branch whose target its field cannot reach is drawn again.
    for (let tries = 0; tries < 64 * this.length; tries++) {
      const laid = layOutSlots(this.isa, this.layout.code, slots);
      if (laid.ok) break;
      slots[laid.slot] = this.slot(rng, laid.slot);
    }
    this.repair(rng, regs, data, slots);
    return { regs, data, slots };
  }
}
