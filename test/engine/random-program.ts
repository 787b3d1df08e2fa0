/**
 * Random guest programs drawn from a spec's own encodings, for the engine/interpreter equivalence
 * property: instruction words that decode (random operand bits), laid out from the reset PC, a
 * data area of random units, random user registers (small numbers, addresses near the code and
 * data, or anything), and now and then a random control register, so traps, mode changes and
 * translation faults happen too. Everything comes from one seeded generator.
 */
import type * as IR from "../../src/ir/ir.js";
import { Decoder } from "../../src/machine/decoder.js";
import { MachineState } from "../../src/machine/state.js";
import { installResume } from "./resume.js";

/** A small seeded PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  bits(w: number): bigint {
    let v = 0n;
    for (let i = 0; i < w; i += 32) v = (v << 32n) | BigInt(this.int(2 ** 32));
    return BigInt.asUintN(w, v);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

export interface Program {
  readonly state: MachineState;
  readonly words: number;
}

interface Candidate {
  readonly instruction: IR.Instruction;
  readonly encoding: IR.Encoding;
}

/** Caches the decodable candidates per ISA. */
const candidates = new WeakMap<IR.Isa, Candidate[]>();

function candidatesOf(isa: IR.Isa): Candidate[] {
  let c = candidates.get(isa);
  if (!c) {
    c = isa.instructions.flatMap((instruction) => instruction.encodings.map((encoding) => ({ instruction, encoding })));
    candidates.set(isa, c);
  }
  return c;
}

/** A random word of the encoding that decodes (to it or an overlapping one); null if none found. */
function randomWord(isa: IR.Isa, decoder: Decoder, c: Candidate, rng: Rng): bigint | null {
  const e = c.encoding;
  for (let tries = 0; tries < 8; tries++) {
    let free = rng.bits(e.length) & ~e.mask;
    // Small operands now and then (branch offsets that stay near, register 0, short immediates).
    if (rng.int(3) === 0) free &= rng.bits(e.length) & rng.bits(e.length);
    const word = e.match | free;
    const d = decoder.decodeWord(word, e.length);
    if (d && d.encoding.length === e.length) return word;
  }
  return null;
}

/** Writes an instruction word at address a, fetch unit by fetch unit, in memory order. */
function place(isa: IR.Isa, state: MachineState, a: bigint, word: bigint, lengthBits: number): bigint {
  const { fetchUnit, unitWidth, endian, addrWidth } = isa.memory;
  const per = fetchUnit / unitWidth;
  const n = lengthBits / fetchUnit;
  for (let k = 0; k < n; k++) {
    const unit = (word >> BigInt(lengthBits - (k + 1) * fetchUnit)) & ((1n << BigInt(fetchUnit)) - 1n);
    for (let i = 0; i < per; i++) {
      const shift = endian === "big" ? (per - 1 - i) * unitWidth : i * unitWidth;
      const at = BigInt.asUintN(addrWidth, a + BigInt(k * per + i));
      state.writeUnit(at, (unit >> BigInt(shift)) & ((1n << BigInt(unitWidth)) - 1n));
    }
  }
  return BigInt(n * per);
}

/** A random program and initial state for isa. */
export function randomProgram(isa: IR.Isa, seed: number, length = 32): Program {
  const rng = new Rng(seed);
  const decoder = new Decoder(isa);
  const state = new MachineState(isa);
  const pcEl = isa.state[isa.pc]!;
  const start = BigInt.asUintN(Math.min(pcEl.width, isa.memory.addrWidth), installResume(isa, state));
  const all = candidatesOf(isa);
  const { addrWidth, unitWidth } = isa.memory;
  const space = 1n << BigInt(addrWidth);
  // A data area after the code.
  const data = BigInt.asUintN(addrWidth, start + BigInt(length * 8) + 64n) % space;
  let at = start;
  let words = 0;
  for (let i = 0; i < length; i++) {
    const c = rng.pick(all);
    const word = randomWord(isa, decoder, c, rng);
    if (word === null) continue;
    at = BigInt.asUintN(addrWidth, at + place(isa, state, at, word, c.encoding.length));
    words++;
  }
  for (let i = 0; i < 48; i++) state.writeUnit(BigInt.asUintN(addrWidth, data + BigInt(i)), rng.bits(unitWidth));
  const near = [start, data, 0n];
  const value = (w: number): bigint => BigInt.asUintN(w, anyValue(w));
  const anyValue = (w: number): bigint => {
    switch (rng.int(4)) {
      case 0: return BigInt(rng.int(16));
      case 1: return BigInt.asUintN(w, rng.pick(near) + BigInt(rng.int(64)));
      case 2: return BigInt.asUintN(w, -BigInt(rng.int(8)));
      default: return rng.bits(w);
    }
  };
  for (const e of isa.state) {
    if (e.isPc) continue;
    const entries = e.count ?? 1;
    for (let i = 0; i < entries; i++) {
      if (e.role === "user") state.regs[e.id]![i] = value(e.width);
      else if (rng.int(12) === 0) state.regs[e.id]![i] = rng.int(2) ? rng.bits(e.width) : BigInt.asUintN(e.width, e.reset ^ (1n << BigInt(rng.int(e.width))));
    }
  }
  return { state, words };
}
