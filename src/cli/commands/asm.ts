/**
 * `popek asm FILE.isa PROGRAM.s [-o OUT]`: prints a listing (address, units, source) or writes the
 * image; `popek disasm FILE.isa [IMAGE] [--hex WORDS] [--base ADDR]` prints it back as assembly.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type * as IR from "../../ir/ir.js";
import { Decoder } from "../../machine/decoder.js";
import { formatInstruction } from "../../machine/disassembler.js";
import { EXIT, loadIsa, type Io } from "../load-isa.js";
import { hex } from "../format-state.js";
import { assembleFile } from "./program.js";

/** Bytes per memory unit in image files: units are stored big-endian in whole bytes. */
function unitBytes(isa: IR.Isa): number {
  return Math.ceil(isa.memory.unitWidth / 8);
}

export function asmCommand(specFile: string, programFile: string, options: { output?: string }, io: Io): number {
  const { isa } = loadIsa(specFile, io, { quietWarnings: true });
  if (!isa) return EXIT.specError;
  const program = assembleFile(isa, programFile, io);
  if (!program) return EXIT.specError;
  if (options.output) {
    // A flat image from the lowest to the highest address; gaps are zero.
    const lo = program.segments.reduce((m, s) => (s.address < m ? s.address : m), program.segments[0]?.address ?? 0n);
    const hi = program.segments.reduce((m, s) => (s.address + BigInt(s.units.length) > m ? s.address + BigInt(s.units.length) : m), lo);
    const per = unitBytes(isa);
    const buf = Buffer.alloc(Number(hi - lo) * per);
    for (const s of program.segments) {
      s.units.forEach((u, i) => {
        const at = (Number(s.address - lo) + i) * per;
        for (let b = 0; b < per; b++) buf[at + b] = Number((u >> BigInt(8 * (per - 1 - b))) & 0xffn);
      });
    }
    writeFileSync(options.output, buf);
    io.out(`wrote ${buf.length} bytes (${Number(hi - lo)} units from ${hex(lo, isa.memory.addrWidth)}) to ${options.output}`);
    return EXIT.ok;
  }
  for (const l of program.listing) {
    io.out(`${hex(l.address, isa.vaddrWidth)}  ${l.units.map((u) => hex(u, isa.memory.unitWidth).slice(2)).join(" ").padEnd(24)}  ${l.text}`);
  }
  return EXIT.ok;
}

export function disasmCommand(specFile: string, image: string | undefined, options: { hex?: string; base?: string }, io: Io): number {
  const { isa } = loadIsa(specFile, io, { quietWarnings: true });
  if (!isa) return EXIT.specError;
  const base = options.base ? BigInt(options.base) : 0n;
  let units: bigint[];
  if (options.hex) {
    // Fetch-unit-sized words, as a manual or objdump prints them.
    const { fetchUnit, unitWidth, endian } = isa.memory;
    const per = fetchUnit / unitWidth;
    units = options.hex.trim().split(/[\s,]+/).flatMap((w) => {
      const v = BigInt(w.startsWith("0x") ? w : `0x${w}`);
      const parts = Array.from({ length: per }, (_, i) => (v >> BigInt((per - 1 - i) * unitWidth)) & ((1n << BigInt(unitWidth)) - 1n));
      return endian === "big" ? parts : parts.reverse();
    });
  } else if (image) {
    const buf = readFileSync(image);
    const per = unitBytes(isa);
    units = [];
    for (let i = 0; i + per <= buf.length; i += per) {
      let u = 0n;
      for (let b = 0; b < per; b++) u = (u << 8n) | BigInt(buf[i + b]!);
      units.push(u);
    }
  } else {
    io.err("error: give an image file or --hex WORDS");
    return EXIT.specError;
  }
  const decoder = new Decoder(isa);
  const { fetchUnit, unitWidth, endian } = isa.memory;
  const per = fetchUnit / unitWidth;
  let at = 0;
  while (at < units.length) {
    const fetch = (k: number): bigint => {
      const slice = units.slice(at + k * per, at + (k + 1) * per);
      while (slice.length < per) slice.push(0n);
      const ordered = endian === "big" ? slice : [...slice].reverse();
      return ordered.reduce((acc, u) => (acc << BigInt(unitWidth)) | u, 0n);
    };
    const d = decoder.decode(fetch);
    const pc = base + BigInt(at);
    if (!d || at + d.units > units.length) {
      io.out(`${hex(pc, isa.vaddrWidth)}  ${units.slice(at, at + per).map((u) => hex(u, unitWidth).slice(2)).join(" ").padEnd(24)}  (undefined)`);
      at += per;
      continue;
    }
    io.out(`${hex(pc, isa.vaddrWidth)}  ${units.slice(at, at + d.units).map((u) => hex(u, unitWidth).slice(2)).join(" ").padEnd(24)}  ${formatInstruction(d, { pc, isa })}`);
    at += d.units;
  }
  return EXIT.ok;
}
