/**
 * Random programs as lists of slots: an instruction form each, and for a PC-relative field the slot
 * it jumps to (0..length, where length is the end of the program). Naming targets by slot keeps
 * every branch on an instruction boundary when a shrinker removes or replaces instructions; laying
 * the program out at an address turns the targets into field values.
 */
import type * as IR from "../ir/ir.js";
import { encodingOf, fieldFormat, unitsOf, type Form } from "./forms.js";

export interface Slot {
  readonly form: Form;
  /** The slot a PC-relative field jumps to (length = the end of the program); null when none. */
  readonly target: number | null;
}

export type Laid =
  | { readonly ok: true; readonly addresses: readonly bigint[]; readonly forms: readonly Form[]; readonly code: readonly bigint[] }
  /** The target of this slot's PC-relative field cannot be encoded in it. */
  | { readonly ok: false; readonly slot: number };

/** The PC-relative fields of an encoding. */
export function pcrelFields(enc: IR.Encoding): { field: IR.EncodedField; format: IR.OperandFormat & { kind: "pcrel" } }[] {
  const out: { field: IR.EncodedField; format: IR.OperandFormat & { kind: "pcrel" } }[] = [];
  for (const field of enc.fields) {
    const fmt = fieldFormat(enc, field.name);
    if (fmt?.kind === "pcrel") out.push({ field, format: fmt });
  }
  return out;
}

/** The raw value of a PC-relative field that reaches `target` from an instruction at `pc`, or null. */
function pcrelValue(isa: IR.Isa, fmt: IR.OperandFormat & { kind: "pcrel" }, field: IR.EncodedField, pc: bigint, units: number, target: bigint): bigint | null {
  const base = fmt.fromNext ? pc + BigInt(units) : pc + BigInt(fmt.bias);
  const v = BigInt.asIntN(isa.vaddrWidth, target - base);
  const w = BigInt(field.width);
  if (v < -(1n << (w - 1n)) || v >= 1n << (w - 1n)) return null;
  const raw = BigInt.asUintN(field.width, v);
  let covered = 0n;
  for (const p of field.pieces) for (let b = p.fieldLo; b <= p.fieldHi; b++) covered |= 1n << BigInt(b);
  return (raw & ~covered) === 0n ? raw : null;
}

/** Places the slots at `base` (a memory address) and resolves their branch targets. */
export function layOutSlots(isa: IR.Isa, base: bigint, slots: readonly Slot[]): Laid {
  const addresses: bigint[] = [base];
  for (const s of slots) addresses.push(addresses[addresses.length - 1]! + BigInt(encodingOf(isa, s.form).length / isa.memory.unitWidth));
  const forms: Form[] = [];
  const code: bigint[] = [];
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i]!;
    let form = s.form;
    const enc = encodingOf(isa, form);
    if (s.target !== null) {
      const fields = new Map(form.fields);
      for (const { field, format } of pcrelFields(enc)) {
        const raw = pcrelValue(isa, format, field, addresses[i]!, enc.length / isa.memory.unitWidth, addresses[s.target]!);
        if (raw === null) return { ok: false, slot: i };
        fields.set(field.name, raw);
      }
      form = { ...form, fields };
    }
    forms.push(form);
    code.push(...unitsOf(isa, form));
  }
  return { ok: true, addresses, forms, code };
}

/** The slots without [from, from + count), branch targets renumbered (into the gap: its end). */
export function withoutSlots(slots: readonly Slot[], from: number, count: number): Slot[] {
  const out: Slot[] = [];
  slots.forEach((s, i) => {
    if (i >= from && i < from + count) return;
    const t = s.target;
    const target = t === null ? null : t >= from + count ? t - count : t > from ? from : t;
    out.push({ ...s, target });
  });
  return out;
}

/** Ways to remove instructions, largest first: halves, quarters, ... single slots. */
export function* removals(slots: readonly Slot[]): Generator<Slot[]> {
  const n = slots.length;
  for (let size = n >> 1; size >= 1; size >>= 1) {
    for (let from = 0; from + size <= n; from += size) yield withoutSlots(slots, from, size);
  }
}
