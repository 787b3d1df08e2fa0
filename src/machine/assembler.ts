/**
 * The assembler, derived from the same syntax templates as the disassembler. A line is matched
 * against every encoding's template (backtracking over operand names); among the encodings whose
 * fields fit and whose `where` holds, the shortest wins, then the first declared.
 * Labels are resolved by iterating layout to a fixed point, since an encoding's length can depend on
 * a label's distance (x86 rel8 vs rel32).
 */
import * as IR from "../ir/ir.js";
import { evalPure } from "../ir/pure.js";
import { parseAsmExpr } from "./asm-expr.js";

export interface AsmError {
  readonly line: number;
  readonly message: string;
}

export interface Segment {
  /** Physical address in memory units where the segment is loaded. */
  readonly address: bigint;
  readonly units: bigint[];
}

export interface ListingLine {
  readonly line: number;
  readonly address: bigint;
  readonly units: readonly bigint[];
  readonly text: string;
}

export interface AsmResult {
  readonly segments: Segment[];
  readonly symbols: Map<string, bigint>;
  readonly listing: ListingLine[];
  readonly errors: AsmError[];
  /** `_start` when defined. */
  readonly entry: bigint | null;
}

export interface Encoded {
  readonly instruction: IR.Instruction;
  readonly encoding: IR.Encoding;
  readonly word: bigint;
  /** Length in memory units. */
  readonly units: number;
}

// ---------------------------------------------------------------- one instruction

type Matched = Map<string, { value: bigint; unresolved: boolean }>;

/** Splits an instruction word (MSB-first bit string) into memory units in memory order. */
export function wordToUnits(isa: IR.Isa, word: bigint, lengthBits: number): bigint[] {
  const { fetchUnit, unitWidth, endian } = isa.memory;
  const per = fetchUnit / unitWidth;
  const out: bigint[] = [];
  for (let k = 0; k < lengthBits / fetchUnit; k++) {
    const fu = (word >> BigInt(lengthBits - (k + 1) * fetchUnit)) & ((1n << BigInt(fetchUnit)) - 1n);
    const parts: bigint[] = [];
    for (let i = 0; i < per; i++) parts.push((fu >> BigInt((per - 1 - i) * unitWidth)) & ((1n << BigInt(unitWidth)) - 1n));
    out.push(...(endian === "big" ? parts : parts.reverse()));
  }
  return out;
}

/** Splits a data value of `bits` bits into memory units in memory order. */
export function valueToUnits(isa: IR.Isa, value: bigint, bits: number): bigint[] {
  const { unitWidth, endian } = isa.memory;
  const n = bits / unitWidth;
  const v = BigInt.asUintN(bits, value);
  const parts: bigint[] = [];
  for (let i = 0; i < n; i++) parts.push((v >> BigInt((n - 1 - i) * unitWidth)) & ((1n << BigInt(unitWidth)) - 1n));
  return endian === "big" ? parts : parts.reverse();
}

function matchTemplate(parts: readonly IR.SyntaxPart[], text: string, symbols: ReadonlyMap<string, bigint>, here: bigint): Matched | null {
  const lower = text.toLowerCase();
  const go = (k: number, pos: number, acc: Matched): Matched | null => {
    if (k === parts.length) {
      while (pos < text.length && /\s/.test(text[pos]!)) pos++;
      return pos === text.length ? acc : null;
    }
    const part = parts[k]!;
    if (part.kind === "text") {
      let p = pos;
      for (const ch of part.text.toLowerCase()) {
        if (/\s/.test(ch)) {
          while (p < text.length && /\s/.test(text[p]!)) p++;
          continue;
        }
        while (p < text.length && /\s/.test(text[p]!) && !/[a-z0-9_]/.test(ch)) p++;
        if (lower[p] !== ch) return null;
        p++;
      }
      return go(k + 1, p, acc);
    }
    let p = pos;
    while (p < text.length && /\s/.test(text[p]!)) p++;
    const fmt = part.format;
    if (fmt.kind === "names") {
      const options: { name: string; value: number }[] = [];
      for (const list of [fmt.names, ...fmt.aliases]) list.forEach((n, i) => options.push({ name: n.toLowerCase(), value: i }));
      options.sort((a, b) => b.name.length - a.name.length);
      for (const o of options) {
        if (!lower.startsWith(o.name, p)) continue;
        const after = lower[p + o.name.length];
        if (o.name.length > 0 && /[a-z0-9_]$/.test(o.name) && after !== undefined && /[a-z0-9_]/.test(after)) continue;
        const prev = acc.get(part.field);
        if (prev && prev.value !== BigInt(o.value)) continue;
        const r = go(k + 1, p + o.name.length, new Map(acc).set(part.field, { value: BigInt(o.value), unresolved: false }));
        if (r) return r;
      }
      return null;
    }
    // Numbers: sdisp needs its sign; the others take any expression.
    if (fmt.kind === "sdisp" && text[p] !== "+" && text[p] !== "-") return null;
    const e = parseAsmExpr(text, p, symbols, here);
    if (!e) return null;
    return go(k + 1, p + e.length, new Map(acc).set(part.field, { value: e.value, unresolved: e.unresolved.length > 0 }));
  };
  return go(0, 0, new Map());
}

/** Converts a shown operand value into the raw field value, or a reason it does not fit. */
function fieldValue(fmt: IR.OperandFormat, shown: bigint, field: IR.EncodedField, pc: bigint, lengthUnits: number, isa: IR.Isa): bigint | string {
  let v = shown;
  let signed = fmt.kind === "simm" || fmt.kind === "sdisp";
  if (fmt.kind === "pcrel") {
    const base = fmt.fromNext ? pc + BigInt(lengthUnits) : pc + BigInt(fmt.bias);
    v = BigInt.asIntN(isa.vaddrWidth, shown - base);
    signed = true;
  }
  const w = field.width;
  const min = signed ? -(1n << BigInt(w - 1)) : -(1n << BigInt(w - 1));
  const max = signed ? (1n << BigInt(w - 1)) - 1n : (1n << BigInt(w)) - 1n;
  if (v < min || v > max) return `${shown} does not fit field '${field.name}' (${w} bits${signed ? ", signed" : ""})`;
  const raw = BigInt.asUintN(w, v);
  // Bits the encoding does not store (e.g. imm[0] of a branch) must be zero.
  let covered = 0n;
  for (const p of field.pieces) for (let b = p.fieldLo; b <= p.fieldHi; b++) covered |= 1n << BigInt(b);
  if ((raw & ~covered) !== 0n) return `${shown} is not encodable in field '${field.name}': its low bits must be zero`;
  return raw;
}

function place(field: IR.EncodedField, value: bigint): bigint {
  let w = 0n;
  for (const p of field.pieces) {
    const n = BigInt(p.fieldHi - p.fieldLo + 1);
    w |= ((value >> BigInt(p.fieldLo)) & ((1n << n) - 1n)) << BigInt(p.encLo);
  }
  return w;
}

/**
 * Encodes one instruction's text at address pc. `strict` rejects unresolved labels (final pass).
 */
export function encodeInstruction(
  isa: IR.Isa,
  text: string,
  pc: bigint,
  symbols: ReadonlyMap<string, bigint>,
  strict = true,
): Encoded | string {
  let best: Encoded | null = null;
  let reason: string | null = null;
  for (const instruction of isa.instructions) {
    for (const encoding of instruction.encodings) {
      const m = matchTemplate(encoding.syntax, text, symbols, pc);
      if (!m) continue;
      const lengthUnits = encoding.length / isa.memory.unitWidth;
      let word = encoding.match;
      const values = new Map<string, bigint>();
      let failed: string | null = null;
      for (const field of encoding.fields) {
        const part = encoding.syntax.find((p) => p.kind === "field" && p.field === field.name) as (IR.SyntaxPart & { kind: "field" }) | undefined;
        const got = m.get(field.name);
        if (got?.unresolved && strict) {
          failed = `undefined label in '${text}'`;
          break;
        }
        const raw = part && got ? (got.unresolved ? 0n : fieldValue(part.format, got.value, field, pc, lengthUnits, isa)) : 0n;
        if (typeof raw === "string") {
          failed = raw;
          break;
        }
        values.set(field.name, raw);
        word |= place(field, raw);
      }
      if (failed) {
        reason ??= failed;
        continue;
      }
      if (encoding.where && evalPure(encoding.where, values) !== 1n) {
        reason ??= `operands of '${text}' are not allowed by ${instruction.name}'s encoding`;
        continue;
      }
      const cand: Encoded = { instruction, encoding, word, units: lengthUnits };
      if (!best || cand.units < best.units) best = cand;
    }
  }
  if (best) return best;
  return reason ?? `no instruction matches '${text}'`;
}

// ---------------------------------------------------------------- programs

interface Item {
  readonly line: number;
  readonly labels: string[];
  readonly kind: "instr" | "directive" | "none";
  readonly text: string;
}

function parseLines(source: string): Item[] {
  return source.split("\n").map((raw, i) => {
    let s = raw.replace(/(;|\/\/).*$/, "").trim();
    const labels: string[] = [];
    let m: RegExpExecArray | null;
    while ((m = /^([A-Za-z_.$][A-Za-z0-9_.$]*):/.exec(s))) {
      labels.push(m[1]!);
      s = s.slice(m[0].length).trim();
    }
    return { line: i + 1, labels, kind: s === "" ? "none" : s.startsWith(".") ? "directive" : "instr", text: s };
  });
}

const DATA_BITS: Record<string, number> = { ".byte": 8, ".half": 16, ".word": 32, ".dword": 64 };

export function assemble(isa: IR.Isa, source: string): AsmResult {
  const items = parseLines(source);
  let symbols = new Map<string, bigint>();
  let result: AsmResult | null = null;
  for (let pass = 0; pass < 16; pass++) {
    const strict = pass > 0;
    const r = layout(isa, items, symbols, strict);
    const stable = r.symbols.size === symbols.size && [...r.symbols].every(([k, v]) => symbols.get(k) === v);
    symbols = r.symbols;
    result = r;
    if (stable && strict) break;
  }
  return result!;
}

function layout(isa: IR.Isa, items: readonly Item[], known: ReadonlyMap<string, bigint>, strict: boolean): AsmResult {
  const symbols = new Map<string, bigint>();
  const errors: AsmError[] = [];
  const listing: ListingLine[] = [];
  const segments: Segment[] = [];
  let seg: Segment = { address: 0n, units: [] };
  segments.push(seg);
  // Labels count from the origin; units land at the segment's physical address (`.org V, P`).
  let origin = 0n;
  const here = () => origin + BigInt(seg.units.length);
  const lookup = new Map(known);
  const evalAt = (line: number, text: string): bigint | null => {
    const e = parseAsmExpr(text, 0, lookup, here());
    if (!e || e.length !== text.trimEnd().length) {
      errors.push({ line, message: `cannot read '${text}' as a number or expression` });
      return null;
    }
    if (e.unresolved.length && strict) {
      errors.push({ line, message: `undefined label '${e.unresolved[0]}'` });
      return null;
    }
    return e.value;
  };
  for (const item of items) {
    for (const l of item.labels) {
      if (symbols.has(l)) errors.push({ line: item.line, message: `label '${l}' is defined twice` });
      symbols.set(l, here());
      lookup.set(l, here());
    }
    if (item.kind === "none") continue;
    if (item.kind === "directive") {
      const [dir, ...restParts] = item.text.split(/\s+/);
      const rest = restParts.join(" ");
      const name = dir!.toLowerCase();
      if (name === ".org") {
        const [vText, pText] = splitArgs(rest);
        const v = evalAt(item.line, vText ?? "");
        const p = pText === undefined ? v : evalAt(item.line, pText);
        if (v === null || p === null) continue;
        origin = v;
        seg = { address: p, units: [] };
        segments.push(seg);
      } else if (name === ".space") {
        const v = evalAt(item.line, rest);
        if (v !== null) for (let i = 0n; i < v; i++) seg.units.push(0n);
      } else if (name === ".align") {
        const v = evalAt(item.line, rest);
        if (v !== null && v > 0n) while (here() % v !== 0n) seg.units.push(0n);
      } else if (name === ".equ" || name === ".set") {
        const m = /^([A-Za-z_.$][A-Za-z0-9_.$]*)\s*,\s*(.*)$/.exec(rest);
        const v = m ? evalAt(item.line, m[2]!) : null;
        if (m && v !== null) {
          symbols.set(m[1]!, v);
          lookup.set(m[1]!, v);
        } else if (!m) errors.push({ line: item.line, message: "write '.equ NAME, VALUE'" });
      } else if (name in DATA_BITS || name === ".unit") {
        const bits = name === ".unit" ? isa.memory.unitWidth : DATA_BITS[name]!;
        if (bits % isa.memory.unitWidth !== 0) {
          errors.push({ line: item.line, message: `${name} is ${bits} bits, not a whole number of ${isa.memory.unitWidth}-bit memory units` });
          continue;
        }
        const start = here();
        const units: bigint[] = [];
        for (const part of splitArgs(rest)) {
          const v = evalAt(item.line, part);
          if (v !== null) units.push(...valueToUnits(isa, v, bits));
        }
        seg.units.push(...units);
        listing.push({ line: item.line, address: start, units, text: item.text });
      } else {
        errors.push({ line: item.line, message: `unknown directive '${dir}' (known: .org V[, P] .word .half .byte .dword .unit .space .align .equ)` });
      }
      continue;
    }
    const pc = here();
    const enc = encodeInstruction(isa, item.text, pc, lookup, strict);
    if (typeof enc === "string") {
      errors.push({ line: item.line, message: enc });
      // Keep the layout moving: assume the shortest instruction.
      const minUnits = Math.min(...isa.instructions.flatMap((i) => i.encodings.map((e) => e.length / isa.memory.unitWidth)));
      for (let i = 0; i < minUnits; i++) seg.units.push(0n);
      continue;
    }
    const units = wordToUnits(isa, enc.word, enc.encoding.length);
    seg.units.push(...units);
    listing.push({ line: item.line, address: pc, units, text: item.text });
  }
  const entry = symbols.get("_start") ?? null;
  return { segments: segments.filter((s) => s.units.length > 0), symbols, listing, errors: strict ? errors : [], entry };
}

function splitArgs(s: string): string[] {
  return s.split(",").map((x) => x.trim()).filter((x) => x.length > 0);
}
