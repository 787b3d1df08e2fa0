/**
 * Random user-level programs, derived from the spec: instructions and field values come from its
 * encodings (forms.ts); which of them a user-mode program may run is found by running the program on
 * popek's machine (on-popek.ts) and replacing every instruction that traps, strays outside the
 * program and its data area, or keeps the program from ending, until the whole program is usable.
 * Branch targets are instruction boundaries of the program, forward or backward, so programs loop.
 */
import type * as IR from "../ir/ir.js";
import { Decoder } from "../machine/decoder.js";
import { randomForm } from "../programs/forms.js";
import type { PopekRun, PopekSide } from "./on-popek.js";
import type { Observed, Peer } from "./peer.js";
import { layOut, pcrelFields, type Laid, type Program, type Slot } from "./program.js";
import type { Random } from "../programs/random.js";

export interface Generated {
  readonly program: Program;
  readonly laid: Laid & { ok: true };
  readonly run: PopekRun & { ok: true };
  /** Instructions replaced on the way (how much of the spec's random output was unusable). */
  readonly repairs: number;
}

/** Steps allowed per instruction of a program, on popek and (as a time limit) on the peer. */
export const STEPS_PER_INSTRUCTION = 16;

export class Generator {
  readonly decoder: Decoder;
  /** The instructions a program may use: all but the peer's exclusions. */
  readonly candidates: readonly IR.Instruction[];

  constructor(
    readonly isa: IR.Isa,
    readonly peer: Peer,
    readonly popek: PopekSide,
  ) {
    this.decoder = new Decoder(isa);
    for (const name of peer.excluded.keys()) {
      if (!isa.instructions.some((i) => i.name === name)) throw new Error(`peer ${peer.name} excludes '${name}', which ${isa.name} does not have`);
    }
    this.candidates = isa.instructions.filter((i) => !peer.excluded.has(i.name) && i.encodings.length > 0);
  }

  /** Addresses in the data area: likely values for address-sized fields and registers. */
  private dataAddress(rng: Random): bigint {
    const { data, dataSize } = this.peer.layout;
    return data + BigInt(rng.below(dataSize));
  }

  /** An instruction-aligned address in a program of `length` instructions (for indirect jumps). */
  private codeAddress(rng: Random, length: number): bigint {
    const step = this.isa.memory.fetchUnit / this.isa.memory.unitWidth;
    return this.peer.layout.prog + BigInt(step * rng.below(length * (4 / step) + 1));
  }

  /** A seeded register value: an address in the data area or the program, small, an edge, or anything. */
  seedValue(rng: Random, o: Observed, length: number): bigint {
    const r = rng.below(100);
    const v =
      r < 30 ? this.dataAddress(rng)
      : r < 45 ? this.codeAddress(rng, length)
      : r < 50 ? BigInt(rng.below(64))
      : r < 60 ? rng.pick([0n, 0xffffffffn, 0x80000000n, 0x7fffffffn, 1n])
      : rng.bits(64);
    return v & o.mask;
  }

  /** A random instruction for slot i of a program of `length` instructions. */
  randomSlot(rng: Random, i: number, length: number): Slot {
    for (;;) {
      const instr = rng.pick(this.candidates);
      const encoding = rng.below(instr.encodings.length);
      const hints = [this.dataAddress(rng), this.dataAddress(rng), this.peer.layout.data + BigInt(this.peer.layout.dataSize / 2)];
      const form = randomForm(this.isa, this.decoder, rng, instr.id, encoding, hints);
      if (!form || !this.peer.allowsForm(instr.name, form.fields)) continue;
      const hasTarget = pcrelFields(instr.encodings[encoding]!).length > 0;
      const target = !hasTarget ? null : rng.chance(0.65) ? i + 1 + rng.below(length - i) : rng.below(i + 1);
      return { form, target };
    }
  }

  /** A usable program of `length` instructions, or null when repairs did not converge. */
  generate(rng: Random, length: number): Generated | null {
    const { dataSize } = this.peer.layout;
    const init = this.peer.observed.map((o) => (o.seeded ? this.seedValue(rng, o, length) : 0n));
    const data = new Uint8Array(dataSize);
    for (let k = 0; k < dataSize; k++) data[k] = rng.below(256);
    const slots = Array.from({ length }, (_, i) => this.randomSlot(rng, i, length));
    const maxSteps = STEPS_PER_INSTRUCTION * Math.max(1, length);
    for (let repairs = 0; repairs < 60 * Math.max(1, length); repairs++) {
      const program: Program = { init, data, slots: [...slots] };
      const laid = layOut(this.isa, this.peer, program.slots);
      if (!laid.ok) {
        slots[laid.slot] = this.randomSlot(rng, laid.slot, length);
        continue;
      }
      const run = this.popek.run(program, laid, maxSteps, (s) => rng.pick(s));
      if (run.ok) return { program, laid, run, repairs };
      slots[run.slot] = this.randomSlot(rng, run.slot, length);
    }
    return null;
  }
}
