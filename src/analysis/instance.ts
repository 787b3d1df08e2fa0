/**
 * Builds the symbolic pieces a query is made of: fresh machine states (optionally sharing parts
 * with another state), symbolic operands for an instruction (one set of field variables per
 * encoding, with its `where` and a selector choosing the encoding), and one symbolic run of the
 * instruction from a state — fetch through translation included, with the fetched physical units
 * tied to the instruction's own encoding.
 */
import * as IR from "../ir/ir.js";
import { memoTerm, SymRun, termId, type RunResult, type SharedView, type SymState } from "./symexec.js";
import type { B, BV, Z3 } from "./z3.js";

export interface SymOperands {
  /** Which encoding was fetched (null when there is only one). */
  readonly selector: BV | null;
  /** Field variables per encoding, by name. */
  readonly fields: readonly ReadonlyMap<string, BV>[];
  /** Operand values as the semantics sees them. */
  readonly operands: ReadonlyMap<string, BV>;
  /** The instruction word per encoding (MSB first). */
  readonly words: readonly BV[];
  /** Every encoding's conditions; what makes operands valid. */
  readonly valid: B;
  /** Guard "encoding k was chosen". */
  readonly chosen: readonly B[];
}

/** A fresh state named by tag; elements for which share(e) holds reuse base's terms. */
export function freshState(
  Z: Z3,
  isa: IR.Isa,
  tag: string,
  base?: SymState,
  share: { element?: (e: IR.StateElement) => boolean; phys?: boolean } = {},
): SymState {
  const regs = isa.state.map((e) => {
    if (base && share.element?.(e)) return [...base.regs[e.id]!];
    const n = e.count ?? 1;
    return Array.from({ length: n }, (_, i) => Z.BitVec.const(`${tag}.${e.name}${e.count === null ? "" : `[${i}]`}`, e.width));
  });
  const { addrWidth, unitWidth } = isa.memory;
  const phys = base && share.phys ? base.phys : Z.Array.const(`${tag}.phys`, Z.BitVec.sort(addrWidth), Z.BitVec.sort(unitWidth));
  return { regs, phys };
}

/** Symbolic operands for an instruction; the tag names its variables (runs sharing a tag share operands). */
export function symOperands(Z: Z3, isa: IR.Isa, instr: IR.Instruction, tag: string): SymOperands {
  const n = instr.encodings.length;
  const selBits = Math.max(1, Math.ceil(Math.log2(n)));
  const selector = n > 1 ? Z.BitVec.const(`${tag}.${instr.name}.encoding`, selBits) : null;
  const chosen = instr.encodings.map((_, k) => (selector ? selector.eq(Z.BitVec.val(BigInt(k), selBits)) : Z.Bool.val(true)));
  const fields: Map<string, BV>[] = [];
  const words: BV[] = [];
  const conds: B[] = [];
  const helper = new SymRun(Z, isa, { regs: [], phys: undefined as never });
  const perEncoding: Map<string, BV>[] = [];
  instr.encodings.forEach((enc, k) => {
    const vars = new Map<string, BV>();
    const parts: B[] = [];
    for (const f of enc.fields) {
      const v = Z.BitVec.const(`${tag}.${instr.name}.${n > 1 ? `e${k}.` : ""}${f.name}`, f.width);
      vars.set(f.name, v);
      let covered = 0n;
      for (const p of f.pieces) for (let b = p.fieldLo; b <= p.fieldHi; b++) covered |= 1n << BigInt(b);
      const uncovered = ((1n << BigInt(f.width)) - 1n) & ~covered;
      if (uncovered !== 0n) parts.push(v.and(Z.BitVec.val(uncovered, f.width)).eq(Z.BitVec.val(0n, f.width)));
    }
    fields.push(vars);
    if (enc.where) parts.push(helper.evalPure(enc.where, vars) as B);
    const all = new Map(vars);
    for (const b of enc.bindings) all.set(b.name, helper.evalPure(b.value, all) as BV);
    perEncoding.push(all);
    words.push(buildWord(Z, enc, vars));
    conds.push(parts.length === 0 ? chosen[k]! : Z.And(chosen[k]!, ...parts));
  });
  const operands = new Map<string, BV>();
  for (const [name] of instr.operands) {
    let v = perEncoding[n - 1]!.get(name)!;
    for (let k = n - 2; k >= 0; k--) v = Z.If(chosen[k]!, perEncoding[k]!.get(name)!, v) as BV;
    operands.set(name, v);
  }
  // Every selector value names an encoding unless n is not a power of two (n itself may not fit).
  const inRange = selector && n < 2 ** selBits ? selector.ult(Z.BitVec.val(BigInt(n), selBits)) : Z.Bool.val(true);
  const valid = Z.And(inRange, Z.Or(...conds), ...shadowing(Z, isa, instr, words, chosen));
  return { selector, fields, operands, words, valid, chosen };
}

/** The instruction word of an encoding with symbolic fields; ignored bits are zero. */
function buildWord(Z: Z3, enc: IR.Encoding, vars: ReadonlyMap<string, BV>): BV {
  const pieces = enc.fields
    .flatMap((f) => f.pieces.map((p) => ({ ...p, v: vars.get(f.name)! })))
    .sort((a, b) => b.encHi - a.encHi);
  const chunks: BV[] = [];
  let bit = enc.length - 1;
  const constant = (hi: number, lo: number) => {
    const w = hi - lo + 1;
    chunks.push(Z.BitVec.val((enc.match >> BigInt(lo)) & ((1n << BigInt(w)) - 1n), w));
  };
  for (const p of pieces) {
    if (p.encHi < bit) constant(bit, p.encHi + 1);
    chunks.push(p.v.extract(p.fieldHi, p.fieldLo));
    bit = p.encLo - 1;
  }
  if (bit >= 0) constant(bit, 0);
  return chunks.length === 1 ? chunks[0]! : Z.Concat(...chunks);
}

/**
 * Words that a declared-overlap partner with priority (or a shorter encoding) would decode first
 * are not this instruction: exclude them, as the decoder does.
 */
function shadowing(Z: Z3, isa: IR.Isa, instr: IR.Instruction, words: readonly BV[], chosen: readonly B[]): B[] {
  const out: B[] = [];
  const helper = new SymRun(Z, isa, { regs: [], phys: undefined as never });
  for (const group of isa.overlaps) {
    const me = group.indexOf(instr.id);
    if (me < 0) continue;
    group.forEach((otherId, rank) => {
      if (otherId === instr.id) return;
      const other = isa.instructions[otherId]!;
      instr.encodings.forEach((enc, k) => {
        for (const o of other.encodings) {
          if (o.length > enc.length || (o.length === enc.length && rank > me)) continue;
          const top = o.length === enc.length ? words[k]! : words[k]!.extract(enc.length - 1, enc.length - o.length);
          let matches: B = top.and(Z.BitVec.val(o.mask, o.length)).eq(Z.BitVec.val(o.match, o.length));
          if (o.where) {
            const vars = new Map(o.fields.map((f) => [f.name, fieldFromWord(Z, top, f)]));
            matches = Z.And(matches, helper.evalPure(o.where, vars) as B);
          }
          out.push(Z.Implies(chosen[k]!, Z.Not(matches)));
        }
      });
    });
  }
  return out;
}

function fieldFromWord(Z: Z3, word: BV, f: IR.EncodedField): BV {
  const parts = [...f.pieces].sort((a, b) => b.fieldHi - a.fieldHi);
  const chunks: BV[] = [];
  let bit = f.width - 1;
  for (const p of parts) {
    if (p.fieldHi < bit) chunks.push(Z.BitVec.val(0n, bit - p.fieldHi));
    chunks.push(word.extract(p.encHi, p.encLo));
    bit = p.fieldLo - 1;
  }
  if (bit >= 0) chunks.push(Z.BitVec.val(0n, bit + 1));
  return chunks.length === 1 ? chunks[0]! : Z.Concat(...chunks);
}

export interface InstructionRun {
  readonly run: RunResult;
  readonly pc: BV;
  readonly nextPc: BV;
  /** The fetched physical units are the instruction's own encoding (where the fetch did not trap). */
  readonly fetched: B;
}

/** Runs one instruction symbolically from state. */
export function runInstruction(
  Z: Z3, isa: IR.Isa, instr: IR.Instruction, ops: SymOperands, state: SymState, choicePrefix = "choice", view: SharedView | null = null,
): InstructionRun {
  const { fetchUnit, unitWidth, endian } = isa.memory;
  const per = fetchUnit / unitWidth;
  const pc = state.regs[isa.pc]![0]!;
  const vw = isa.vaddrWidth;
  const run = new SymRun(Z, isa, state, choicePrefix, view);
  const lengths = instr.encodings.map((e) => e.length / unitWidth);
  let nextPc = pc.add(Z.BitVec.val(BigInt(lengths[lengths.length - 1]!), vw));
  for (let k = lengths.length - 2; k >= 0; k--) nextPc = Z.If(ops.chosen[k]!, pc.add(Z.BitVec.val(BigInt(lengths[k]!), vw)), nextPc) as BV;
  const maxFetch = Math.max(...instr.encodings.map((e) => e.length / fetchUnit));
  const fetches: { pas: BV[]; ok: B }[] = [];
  for (let k = 0; k < maxFetch; k++) {
    const guards = instr.encodings.flatMap((e, j) => (e.length / fetchUnit > k ? [ops.chosen[j]!] : []));
    fetches.push(run.fetch(pc, k, guards.length === instr.encodings.length ? Z.Bool.val(true) : Z.Or(...guards)));
  }
  const fetchedParts: B[] = [];
  instr.encodings.forEach((enc, k) => {
    const word = ops.words[k]!;
    const fetchUnits = enc.length / fetchUnit;
    const eqs: B[] = [];
    for (let f = 0; f < fetchUnits; f++) {
      const { pas, ok } = fetches[f]!;
      for (let u = 0; u < per; u++) {
        // Unit u of fetch unit f, in memory order (as the assembler lays it out).
        const inFetch = endian === "big" ? u : per - 1 - u;
        const hi = enc.length - f * fetchUnit - inFetch * unitWidth - 1;
        const pa = pas[u]!;
        eqs.push(memoTerm(Z, `fetched ${termId(ok)} ${termId(state.phys as never)} ${termId(pa)} ${termId(word)} ${hi}`,
          () => Z.Implies(ok, state.phys.select(pa).eq(word.extract(hi, hi - unitWidth + 1)))));
      }
    }
    fetchedParts.push(Z.Implies(ops.chosen[k]!, Z.And(...eqs)));
  });
  run.runBody(instr.body, instr.slots, ops.operands, nextPc, Z.Bool.val(true));
  return { run: run.result(nextPc), pc, nextPc, fetched: Z.And(...fetchedParts) };
}
