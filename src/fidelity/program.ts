/**
 * A difftest program: the seeded user state, the data area, and a list of instruction forms. A
 * PC-relative field names its target by slot index (0..length, where length is the end of the
 * program), so removing or replacing an instruction keeps every branch on an instruction boundary;
 * layout turns the targets into field values.
 */
import type * as IR from "../ir/ir.js";
import { encodingOf, fieldFormat, unitsOf, type Form } from "./forms.js";
import type { Peer } from "./peer.js";

export interface Slot {
  readonly form: Form;
  /** The slot a PC-relative field jumps to (length = the end of the program); null when none. */
  readonly target: number | null;
}

export interface Program {
  /** One value per peer.observed entry (masked; unseeded entries are ignored). */
  readonly init: readonly bigint[];
  readonly data: Uint8Array;
  readonly slots: readonly Slot[];
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

/** Places the program at peer.layout.prog and resolves its branch targets. */
export function layOut(isa: IR.Isa, peer: Peer, slots: readonly Slot[]): Laid {
  const addresses: bigint[] = [peer.layout.prog];
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
