/**
 * Random instruction forms, read off the spec's encodings alone: an instruction, one of its
 * encodings, and random values for its fields (biased towards the edges and towards values a
 * program can use, e.g. addresses in its data area), kept only when the encoding's `where` holds and
 * the word decodes back to that instruction. Nothing here knows a particular ISA.
 */
import type * as IR from "../ir/ir.js";
import { evalPure } from "../ir/pure.js";
import { wordToUnits } from "../machine/assembler.js";
import type { Decoded, Decoder } from "../machine/decoder.js";
import type { Random } from "./random.js";

/** One instruction form: which encoding, and the raw value of each of its fields. */
export interface Form {
  readonly instruction: number;
  readonly encoding: number;
  /** Raw field values, by field name. */
  readonly fields: ReadonlyMap<string, bigint>;
}

/** The field bits an encoding stores (others must be zero). */
export function coveredBits(f: IR.EncodedField): bigint {
  let m = 0n;
  for (const p of f.pieces) for (let b = p.fieldLo; b <= p.fieldHi; b++) m |= 1n << BigInt(b);
  return m;
}

/** Places a field value into an instruction word by its pieces. */
export function placeField(f: IR.EncodedField, value: bigint): bigint {
  let w = 0n;
  for (const p of f.pieces) {
    const n = BigInt(p.fieldHi - p.fieldLo + 1);
    w |= ((value >> BigInt(p.fieldLo)) & ((1n << n) - 1n)) << BigInt(p.encLo);
  }
  return w;
}

export function encodingOf(isa: IR.Isa, form: Form): IR.Encoding {
  return isa.instructions[form.instruction]!.encodings[form.encoding]!;
}

/** The instruction word of a form. */
export function wordOf(isa: IR.Isa, form: Form): bigint {
  const enc = encodingOf(isa, form);
  let word = enc.match;
  for (const f of enc.fields) word |= placeField(f, form.fields.get(f.name) ?? 0n);
  return word;
}

/** The memory units of a form, in memory order. */
export function unitsOf(isa: IR.Isa, form: Form): bigint[] {
  return wordToUnits(isa, wordOf(isa, form), encodingOf(isa, form).length);
}

/** The format a field is shown with in the encoding's syntax, if it is shown. */
export function fieldFormat(enc: IR.Encoding, name: string): IR.OperandFormat | null {
  for (const p of enc.syntax) if (p.kind === "field" && p.field === name) return p.format;
  return null;
}

/** A random raw value for a field: uniform, small, an edge, or one of the hints. */
export function randomFieldValue(rng: Random, f: IR.EncodedField, hints: readonly bigint[]): bigint {
  const w = f.width;
  const max = (1n << BigInt(w)) - 1n;
  const r = rng.below(100);
  let v: bigint;
  if (r < 35) v = rng.bits(w);
  else if (r < 45) v = 0n;
  else if (r < 55) v = BigInt(rng.below(16));
  else if (r < 65) v = BigInt.asUintN(w, -BigInt(1 + rng.below(16)));
  else if (r < 80) v = rng.pick([0n, max, 1n << BigInt(w - 1), (1n << BigInt(w - 1)) - 1n]);
  else v = hints.length > 0 && w >= 16 ? BigInt.asUintN(w, rng.pick(hints)) : rng.bits(w);
  return v & coveredBits(f);
}

/** Whether another instruction wins this word by a declared overlap. */
function lostToOverlap(isa: IR.Isa, ours: IR.Instruction, decoded: IR.Instruction): boolean {
  return isa.overlaps.some((g) => g.includes(ours.id) && g.includes(decoded.id) && g.indexOf(decoded.id) < g.indexOf(ours.id));
}

/**
 * A random form of one encoding that decodes back to itself, or null when `tries` attempts found none
 * (a `where` that random values rarely satisfy). `fixed` pins some fields (a branch's target).
 */
export function randomForm(
  isa: IR.Isa,
  decoder: Decoder,
  rng: Random,
  instruction: number,
  encoding: number,
  hints: readonly bigint[] = [],
  tries = 64,
): Form | null {
  const enc = isa.instructions[instruction]!.encodings[encoding]!;
  for (let t = 0; t < tries; t++) {
    const fields = new Map(enc.fields.map((f) => [f.name, randomFieldValue(rng, f, hints)]));
    const form: Form = { instruction, encoding, fields };
    if (decodesTo(isa, decoder, form)) return form;
  }
  return null;
}

/** Whether a form's word satisfies its `where` and decodes to the same instruction and encoding. */
export function decodesTo(isa: IR.Isa, decoder: Decoder, form: Form): Decoded | null {
  const enc = encodingOf(isa, form);
  if (enc.where && evalPure(enc.where, form.fields) !== 1n) return null;
  const d = decoder.decodeWord(wordOf(isa, form), enc.length);
  if (!d || d.encoding !== enc) return null;
  const ours = isa.instructions[form.instruction]!;
  if (d.instruction !== ours && lostToOverlap(isa, ours, d.instruction)) return null;
  return d;
}
