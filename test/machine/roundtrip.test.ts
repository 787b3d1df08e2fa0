/**
 * Assembler and disassembler are inverses, for every encoding of every instruction of every bundled
 * spec (isas/*.isa, so a new spec is covered as soon as it is added). For random field values the
 * test builds the instruction word from the encoding alone, then checks
 *
 *   decode(word) = that instruction and encoding, with those field values
 *   assemble(format(decode(word)), pc) = word
 *
 * Nothing here knows any particular ISA: it reads only the IR.
 */
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import type * as IR from "../../src/ir/ir.js";
import { evalPure, extractField } from "../../src/ir/pure.js";
import { encodeInstruction } from "../../src/machine/assembler.js";
import { Decoder } from "../../src/machine/decoder.js";
import { formatInstruction } from "../../src/machine/disassembler.js";
import { loadSpec } from "../../src/syntax/load.js";

const ISAS = resolve(dirname(fileURLToPath(import.meta.url)), "../../isas");
const SPECS = readdirSync(ISAS).filter((n) => n.endsWith(".isa")).sort();

function loadIsa(name: string): IR.Isa {
  const checked = checkSpec(loadSpec(join(ISAS, name)));
  const errors = checked.diagnostics.items.filter((d) => d.severity === "error");
  if (!checked.isa) throw new Error(`${name} does not check: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return checked.isa;
}

/** The field bits an encoding stores (others must be zero for the value to be encodable). */
function coveredBits(f: IR.EncodedField): bigint {
  let m = 0n;
  for (const p of f.pieces) for (let b = p.fieldLo; b <= p.fieldHi; b++) m |= 1n << BigInt(b);
  return m;
}

/** Places a field value into the word by its pieces (the encoding's own description, not the assembler's). */
function placeField(f: IR.EncodedField, value: bigint): bigint {
  let w = 0n;
  for (const p of f.pieces) {
    const n = BigInt(p.fieldHi - p.fieldLo + 1);
    w |= ((value >> BigInt(p.fieldLo)) & ((1n << n) - 1n)) << BigInt(p.encLo);
  }
  return w;
}

function fieldArb(f: IR.EncodedField): fc.Arbitrary<bigint> {
  const covered = coveredBits(f);
  const max = (1n << BigInt(f.width)) - 1n;
  // Bias towards the edges (0, all ones, sign bit) where sign handling goes wrong.
  return fc
    .oneof(
      fc.bigInt({ min: 0n, max }),
      fc.constantFrom(0n, max, 1n << BigInt(f.width - 1), (1n << BigInt(f.width - 1)) - 1n),
    )
    .map((v) => v & covered);
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

/** Whether another instruction wins this word by a declared overlap (then the round trip is moot). */
function lostToOverlap(isa: IR.Isa, ours: IR.Instruction, decoded: IR.Instruction): boolean {
  return isa.overlaps.some((g) => g.includes(ours.id) && g.includes(decoded.id) && g.indexOf(decoded.id) < g.indexOf(ours.id));
}

/**
 * The round-trip property for one encoding, as a fast-check assertion that throws (naming the
 * instruction) on the first counterexample.
 */
function checkEncoding(isa: IR.Isa, decoder: Decoder, instr: IR.Instruction, k: number, numRuns: number): void {
  const enc = instr.encodings[k]!;
  const label = `${instr.name}${instr.encodings.length > 1 ? ` (encoding ${k + 1})` : ""}`;
  const unitsPerFetch = isa.memory.fetchUnit / isa.memory.unitWidth;
  const vaddrMax = (1n << BigInt(isa.vaddrWidth)) - 1n;
  const fieldsArb = fc.tuple(...enc.fields.map(fieldArb));
  // A PC aligned to the fetch unit, anywhere in the virtual address space.
  const pcArb = fc.bigInt({ min: 0n, max: vaddrMax }).map((p) => p - (p % BigInt(unitsPerFetch)));
  let tested = 0;
  fc.assert(
    fc.property(fieldsArb, pcArb, (values, pc) => {
      const operands = new Map(enc.fields.map((f, i) => [f.name, values[i]!]));
      fc.pre(!enc.where || evalPure(enc.where, operands) === 1n);
      let word = enc.match;
      enc.fields.forEach((f, i) => (word |= placeField(f, values[i]!)));
      const where = `${label} word ${hex(word)} at pc ${hex(pc)}`;
      expect((word & enc.mask) === enc.match, `${where}: the built word does not match its own pattern`).toBe(true);

      const decoded = decoder.decodeWord(word, enc.length);
      expect(decoded, `${where}: does not decode`).not.toBeNull();
      fc.pre(decoded!.instruction === instr || !lostToOverlap(isa, instr, decoded!.instruction));
      expect(decoded!.instruction.name, `${where}: decodes to another instruction`).toBe(instr.name);
      expect(decoded!.encoding === enc, `${where}: decodes with another encoding of ${instr.name}`).toBe(true);
      expect(decoded!.units, `${where}: length`).toBe(enc.length / isa.memory.unitWidth);
      for (const f of enc.fields) {
        expect(decoded!.operands.get(f.name), `${where}: field ${f.name}`).toBe(extractField(f, word));
        expect(decoded!.operands.get(f.name), `${where}: field ${f.name}`).toBe(operands.get(f.name));
      }

      const text = formatInstruction(decoded!, { pc, isa });
      const again = encodeInstruction(isa, text, pc, new Map());
      expect(typeof again, `${where}: '${text}' does not assemble: ${String(again)}`).toBe("object");
      if (typeof again === "string") return;
      if (again.word !== word || again.encoding !== enc) {
        // The one allowed difference: the assembler prefers a strictly shorter encoding of the
        // same instruction that means the same (x86's rel8 for rel32); it must print the same.
        const shorter = again.instruction === instr && again.encoding.length < enc.length;
        const same = shorter && formatInstruction(decoder.decodeWord(again.word, again.encoding.length)!, { pc, isa }) === text;
        expect(same, `${where}: '${text}' assembles to ${again.instruction.name} ${hex(again.word)}`).toBe(true);
      }
      tested++;
    }),
    { seed: 1974, numRuns, includeErrorInReport: true },
  );
  // The `where` filter must leave something to test.
  expect(tested, `${label}: no generated value satisfied the encoding's where`).toBeGreaterThan(0);
}

for (const specName of SPECS) {
  describe(`${specName}: assemble(disassemble(word)) = word`, () => {
    const isa = loadIsa(specName);
    const decoder = new Decoder(isa);

    it("has encodings to test", () => {
      expect(isa.instructions.flatMap((i) => i.encodings).length).toBeGreaterThan(0);
    });

    for (const instr of isa.instructions) {
      instr.encodings.forEach((_, k) => {
        it(`${instr.name}${instr.encodings.length > 1 ? ` (encoding ${k + 1})` : ""}`, () => checkEncoding(isa, decoder, instr, k, 150));
      });
    }
  });
}

/** The property is not vacuous: it rejects specs whose syntax cannot be read back. */
describe("the round-trip check itself", () => {
  const spec = (instructions: string) => `isa t;
memory E: bits(8)[256], little, fetch 8;
register P: bits(8) user pc;
register M: bits(1) control;
privilege M { s = 0; u = 1; }
cause bad = 0 undefined;
trap entry(c: bits(1)) { P = 0; }
${instructions}
`;
  const isaOf = (text: string): IR.Isa => {
    const checked = checkSpec(loadSpec("/virtual/t.isa", () => text));
    expect(checked.diagnostics.items.filter((d) => d.severity === "error")).toEqual([]);
    return checked.isa!;
  };
  const run = (isa: IR.Isa, name: string) => {
    const instr = isa.instructions.find((i) => i.name === name)!;
    checkEncoding(isa, new Decoder(isa), instr, 0, 100);
  };

  it("passes a sound template", () => {
    const isa = isaOf(spec(`instruction GOOD { encoding 0000 x:2 y:2; syntax "good {x}, {y}"; semantics { } }`));
    expect(() => run(isa, "GOOD")).not.toThrow();
  });

  it("catches two numbers printed with nothing between them, naming the instruction", () => {
    const isa = isaOf(spec(`instruction GLUED { encoding 0000 x:2 y:2; syntax "glued {x}{y}"; semantics { } }`));
    expect(() => run(isa, "GLUED")).toThrow(/GLUED/);
  });

  it("catches two instructions that print alike (the assembler reads back the other one)", () => {
    // 'same 3' is ambiguous: it assembles to ONE, so TWO does not survive the round trip.
    const isa = isaOf(spec(`instruction ONE { encoding 0001 x:4; syntax "same {x}"; semantics { } }
instruction TWO { encoding 0010 x:4; syntax "same {x}"; semantics { } }`));
    expect(() => run(isa, "TWO")).toThrow(/TWO/);
  });
});
