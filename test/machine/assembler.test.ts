/**
 * The assembler on a tiny byte-addressed, little-endian machine: labels (forward and backward),
 * `.org V, P`, `.equ`, data directives with expressions, `.space` / `.align`, errors with their line
 * numbers, and the choice of the shortest encoding when several match.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import type * as IR from "../../src/ir/ir.js";
import { assemble, encodeInstruction, type AsmResult } from "../../src/machine/assembler.js";
import { Decoder } from "../../src/machine/decoder.js";
import { loadSpec } from "../../src/syntax/load.js";

// ADDI has two encodings: a long one (declared first) with an 8-bit immediate and a short one with a
// 4-bit immediate. Both match "addi r1, 3"; the assembler must pick the short one.
const SPEC = `isa asm;
memory E: bits(8)[65536], little, fetch 8;
register P: bits(16) user pc;
register M: bits(1) control;
register R[4]: bits(16) user;
privilege M { s = 0; u = 1; }
cause illegal = 0 undefined;
trap entry(c: bits(2)) { P = 0; }
operand reg = [r0, r1, r2, r3] aka [zero, a, b, c];

instruction NOP { encoding 00000000; syntax "nop"; semantics { } }
instruction ADDI {
  encoding 11 rd:2 0000 i8:8 syntax "addi {rd:reg}, {i8:simm}" { let imm: bits(16) = sext(i8, 16); }
  encoding 10 rd:2 i4:4 syntax "addi {rd:reg}, {i4:simm}" { let imm: bits(16) = sext(i4, 16); }
  semantics { R[rd] = R[rd] + imm; }
}
instruction LI { encoding 010000 rd:2 imm:16; syntax "li {rd:reg}, {imm:hex}"; semantics { R[rd] = imm; } }
instruction BR { encoding 01010000 off:8; syntax "br {off:pcrel(next)}"; semantics { P = next_pc + sext(off, 16); } }
instruction JMP { encoding 01100000 target:16; syntax "jmp {target}"; semantics { P = target; } }
`;

let cached: IR.Isa | null = null;
function isa(): IR.Isa {
  if (cached) return cached;
  const file = resolve("/virtual/asm.isa");
  const checked = checkSpec(loadSpec(file, () => SPEC));
  expect(checked.diagnostics.items.filter((d) => d.severity === "error").map((d) => `${d.code}@${d.span.line}: ${d.message}`)).toEqual([]);
  cached = checked.isa!;
  return cached;
}

const asm = (source: string): AsmResult => assemble(isa(), source);

/** Assembles and expects no error. */
function ok(source: string): AsmResult {
  const r = asm(source);
  expect(r.errors).toEqual([]);
  return r;
}

const sym = (r: AsmResult) => Object.fromEntries(r.symbols);
const segs = (r: AsmResult) => r.segments.map((s) => ({ address: s.address, units: s.units }));

describe("labels", () => {
  it("resolves backward and forward references", () => {
    const r = ok(`_start: nop
loop:   br loop        ; back to itself: offset from the next instruction is -2
        br done        ; forward
        jmp loop
done:   nop
`);
    expect(sym(r)).toEqual({ _start: 0n, loop: 1n, done: 8n });
    expect(r.entry).toBe(0n);
    expect(segs(r)).toEqual([{ address: 0n, units: [0x00n, 0x50n, 0xfen, 0x50n, 0x03n, 0x60n, 0x00n, 0x01n, 0x00n] }]);
  });

  it("allows several labels on one line and labels on their own line", () => {
    const r = ok("a: b:\nc:\n  nop\nd: nop\n");
    expect(sym(r)).toEqual({ a: 0n, b: 0n, c: 0n, d: 1n });
    expect(r.entry).toBeNull();
  });

  it("lists every line that produced units, with its address", () => {
    const r = ok("nop\n\n; comment only\nli r1, 0x1234\nx: .byte 7\n");
    expect(r.listing.map((l) => [l.line, l.address, l.units])).toEqual([
      [1, 0n, [0x00n]],
      [4, 1n, [0x41n, 0x12n, 0x34n]],
      [5, 4n, [7n]],
    ]);
  });
});

describe(".org", () => {
  it(".org V, P: labels count from V, units land at P", () => {
    const r = ok(`.org 0x100
a:  nop
.org 0x10, 0x200
b:  nop
c:  jmp b
`);
    expect(sym(r)).toEqual({ a: 0x100n, b: 0x10n, c: 0x11n });
    expect(segs(r)).toEqual([
      { address: 0x100n, units: [0x00n] },
      { address: 0x200n, units: [0x00n, 0x60n, 0x00n, 0x10n] },
    ]);
  });

  it("branches are relative to the virtual address", () => {
    const r = ok(".org 0x40, 0x1000\nhere: br here\n");
    expect(segs(r)).toEqual([{ address: 0x1000n, units: [0x50n, 0xfen] }]);
  });
});

describe(".equ and expressions", () => {
  it("defines constants usable in operands and other constants", () => {
    const r = ok(`.equ BASE, 0x40
.equ TWICE, BASE * 2
li r1, TWICE + 1
li r2, (BASE << 4) | 0xF
`);
    expect(sym(r)).toMatchObject({ BASE: 0x40n, TWICE: 0x80n });
    expect(r.segments[0]!.units).toEqual([0x41n, 0x00n, 0x81n, 0x42n, 0x04n, 0x0fn]);
  });

  it("a constant may be used before its .equ", () => {
    const r = ok("li r1, LATER\n.space LATER - 3\nx: nop\n.equ LATER, 5\n");
    expect(r.segments[0]!.units.slice(0, 3)).toEqual([0x41n, 0x00n, 0x05n]);
    expect(r.symbols.get("x")).toBe(5n);
  });

  it("data directives take expressions, labels and '.', little-endian", () => {
    const r = ok(`start: .word (1 << 4) | 3, start + 2
here:   .half 0x1234, .
        .byte 1, 2, -1
        .word -1
`);
    expect(r.segments[0]!.units).toEqual([
      0x13n, 0n, 0n, 0n,
      0x02n, 0n, 0n, 0n,
      0x34n, 0x12n,
      0x08n, 0x00n, // '.' is the address of the line (`here`), not of this value
      1n, 2n, 0xffn,
      0xffn, 0xffn, 0xffn, 0xffn,
    ]);
    expect(sym(r).here).toBe(8n);
  });

  it(".space reserves zeros and .align pads to a multiple", () => {
    const r = ok(`nop
.space 3
x: nop
.align 4
y: .align 4   ; already aligned: nothing
   nop
z: nop
`);
    expect(sym(r)).toEqual({ x: 4n, y: 8n, z: 9n });
    expect(r.segments[0]!.units).toEqual([0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
  });
});

describe("errors", () => {
  it("reports each bad line with its number and keeps going", () => {
    const r = asm(`nop
frob r1
br nowhere
.bogus 1
nop
.word missing + 1
addi r1, 1000
a: nop
a: nop
`);
    expect(r.errors.map((e) => e.line)).toEqual([2, 3, 4, 6, 7, 9]);
    const msg = (line: number) => r.errors.find((e) => e.line === line)!.message;
    expect(msg(2)).toContain("frob");
    expect(msg(3)).toMatch(/undefined label/);
    expect(msg(4)).toContain(".bogus");
    expect(msg(6)).toMatch(/undefined label 'missing'/);
    expect(msg(7)).toMatch(/does not fit/);
    expect(msg(9)).toMatch(/defined twice/);
  });

  it("an unknown mnemonic still takes room, so later labels keep their addresses", () => {
    const r = asm("frob\nx: nop\n");
    expect(r.errors).toHaveLength(1);
    expect(r.symbols.get("x")).toBe(1n);
  });

  it("rejects an operand that does not fit its field, and a register that does not exist", () => {
    expect(encodeInstruction(isa(), "li r1, 0x10000", 0n, new Map())).toMatch(/does not fit/);
    expect(typeof encodeInstruction(isa(), "li r4, 1", 0n, new Map())).toBe("string");
    expect(typeof encodeInstruction(isa(), "nop r1", 0n, new Map())).toBe("string");
  });

  it("a branch out of range is an error, not a wrapped offset", () => {
    const r = asm("br far\n.space 300\nfar: nop\n");
    expect(r.errors.map((e) => e.line)).toEqual([1]);
    expect(r.errors[0]!.message).toMatch(/does not fit/);
  });
});

describe("encoding choice", () => {
  const encode = (text: string) => {
    const e = encodeInstruction(isa(), text, 0n, new Map());
    if (typeof e === "string") throw new Error(e);
    return e;
  };

  it("picks the shortest encoding when both match, though the long one is declared first", () => {
    const addi = isa().instructions.find((i) => i.name === "ADDI")!;
    expect(addi.encodings.map((e) => e.length)).toEqual([16, 8]);
    const e = encode("addi r1, 3");
    expect(e.encoding).toBe(addi.encodings[1]);
    expect(e.units).toBe(1);
    expect(e.word).toBe(0x93n); // 10 01 0011
    expect(encode("addi r1, -8").word).toBe(0x98n);
  });

  it("falls back to the long encoding when the value does not fit the short one", () => {
    const e = encode("addi r1, 8");
    expect(e.units).toBe(2);
    expect(e.word).toBe(0xd008n);
    expect(encode("addi r1, -9").word).toBe(0xd0f7n);
  });

  it("the chosen encodings decode back with the same immediate", () => {
    const decoder = new Decoder(isa());
    for (const [text, imm] of [["addi r2, 7", 7n], ["addi r2, -100", 0xff9cn]] as const) {
      const e = encode(text);
      const d = decoder.decodeWord(e.word, e.encoding.length)!;
      expect(d.instruction.name).toBe("ADDI");
      expect(d.operands.get("rd")).toBe(2n);
      expect(d.operands.get("imm")).toBe(imm);
    }
  });

  it("accepts aliases and ignores case and spacing", () => {
    expect(encode("ADDI  A ,3").word).toBe(0x93n);
    expect(encode("addi a,3").word).toBe(0x93n);
  });

  it("in a program, lays out the short form", () => {
    const r = ok("addi r1, 3\naddi r1, 100\nx: nop\n");
    expect(r.segments[0]!.units).toEqual([0x93n, 0xd0n, 0x64n, 0x00n]);
    expect(r.symbols.get("x")).toBe(3n);
  });
});
