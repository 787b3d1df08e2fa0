/**
 * Decodes instruction words with the spec's encodings. Fetch units are read one at a time, so a
 * variable-length instruction reads only as far as it needs (a trap on a later unit happens only if
 * the instruction really extends there). Declared overlaps resolve in favour of the earlier name.
 */
import * as IR from "../ir/ir.js";
import { evalPure, extractField } from "../ir/pure.js";

export interface Decoded {
  readonly instruction: IR.Instruction;
  readonly encoding: IR.Encoding;
  /** Field and binding values. */
  readonly operands: ReadonlyMap<string, bigint>;
  /** Length in memory units. */
  readonly units: number;
  readonly word: bigint;
}

interface Candidate {
  readonly instruction: IR.Instruction;
  readonly encoding: IR.Encoding;
}

/** The candidates that match the units read so far: complete at this length, or longer. */
interface Split {
  readonly complete: Candidate[];
  readonly longer: Candidate[];
}

export class Decoder {
  private readonly candidates: Candidate[];
  private readonly maxLength: number;
  private readonly rank = new Map<string, number>();
  /**
   * The candidates the first k+1 fetch units leave (splits[k]), by their value, made as they are met:
   * the first unit rules out most encodings (x86's opcode byte), and a replay decodes one
   * instruction, so matching every encoding's mask against it each time was most of a short run's
   * cost.
   */
  private readonly splits: Map<bigint, Split>[] = [];
  /**
   * Whole decodes of the first k+1 fetch units where they settle it (an instruction that long, or
   * no encoding at all): the analysis's search replays each state it draws several times, and every
   * drawn word was matched and its fields extracted again.
   */
  private readonly settled: Map<bigint, Decoded | null>[] = [];

  constructor(private readonly isa: IR.Isa) {
    this.candidates = isa.instructions.flatMap((instruction) => instruction.encodings.map((encoding) => ({ instruction, encoding })));
    this.maxLength = Math.max(0, ...this.candidates.map((c) => c.encoding.length));
    for (const group of isa.overlaps) group.forEach((id, k) => this.rank.set(`${group.join(",")}:${id}`, k));
  }

  /** One decoder per ISA, shared: a decoder holds nothing but what it derives from the spec. */
  static of(isa: IR.Isa): Decoder {
    let d = shared.get(isa);
    if (!d) shared.set(isa, (d = new Decoder(isa)));
    return d;
  }

  /**
   * Decodes using fetch(k), which returns the k-th fetch unit of the instruction (and may throw a
   * trap). Returns null when no encoding matches.
   */
  decode(fetch: (k: number) => bigint): Decoded | null {
    const U = this.isa.memory.fetchUnit;
    let word = 0n;
    let live = this.candidates;
    for (let k = 0; (k + 1) * U <= this.maxLength && live.length > 0; k++) {
      word = (word << BigInt(U)) | fetch(k);
      const settled = (this.settled[k] ??= new Map());
      const known = settled.get(word);
      if (known !== undefined) return known;
      const bits = (k + 1) * U;
      const splits = (this.splits[k] ??= new Map());
      let split = splits.get(word);
      if (!split) {
        split = { complete: [], longer: [] };
        for (const c of live) {
          const e = c.encoding;
          const shift = BigInt(e.length - bits);
          if ((word & (e.mask >> shift)) !== e.match >> shift) continue;
          (e.length === bits ? split.complete : split.longer).push(c);
        }
        remember(splits, word, split);
      }
      const complete = split.complete.filter((c) => !c.encoding.where || evalPure(c.encoding.where, fieldValues(c.encoding, word)) === 1n);
      if (complete.length > 0) {
        const decoded = this.finish(this.pick(complete), word);
        remember(settled, word, decoded);
        return decoded;
      }
      if (split.longer.length === 0) remember(settled, word, null);
      live = split.longer;
    }
    return null;
  }

  /** Decodes a whole word already known (the disassembler's case). */
  decodeWord(word: bigint, lengthBits: number): Decoded | null {
    const U = this.isa.memory.fetchUnit;
    const units = lengthBits / U;
    return this.decode((k) => (k < units ? (word >> BigInt((units - 1 - k) * U)) & ((1n << BigInt(U)) - 1n) : 0n));
  }

  private pick(list: Candidate[]): Candidate {
    if (list.length === 1) return list[0]!;
    for (const group of this.isa.overlaps) {
      const inGroup = list.filter((c) => group.includes(c.instruction.id));
      if (inGroup.length === list.length) {
        return inGroup.sort((a, b) => group.indexOf(a.instruction.id) - group.indexOf(b.instruction.id))[0]!;
      }
    }
    return list[0]!;
  }

  private finish(c: Candidate, word: bigint): Decoded {
    const operands = fieldValues(c.encoding, word);
    for (const b of c.encoding.bindings) operands.set(b.name, evalPure(b.value, operands));
    return {
      instruction: c.instruction,
      encoding: c.encoding,
      operands,
      units: c.encoding.length / this.isa.memory.unitWidth,
      word,
    };
  }
}

const shared = new WeakMap<IR.Isa, Decoder>();

/** Entries each of a decoder's tables keeps (a long search meets ever new words). */
const REMEMBERED = 1 << 16;

function remember<V>(table: Map<bigint, V>, key: bigint, value: V): void {
  if (table.size >= REMEMBERED) table.clear();
  table.set(key, value);
}

function fieldValues(e: IR.Encoding, word: bigint): Map<string, bigint> {
  return new Map(e.fields.map((f) => [f.name, extractField(f, word)]));
}

export { IR };
