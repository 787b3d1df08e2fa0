/**
 * Instruction encodings: expands format references, lays out each encoding's bits and fields,
 * lowers `where` conditions and bindings, and checks that no two encodings overlap unless an
 * `overlap` declaration says which wins (QEMU decodetree's rule: overlap is an error unless declared).
 */
import type * as A from "../syntax/ast.js";
import type { Span } from "../syntax/source.js";
import * as IR from "../ir/ir.js";
import type { Globals } from "./globals.js";
import { BodyLowerer } from "./lower.js";
import { parseTemplate, substituteFormats, templateFields } from "./syntax-template.js";
import { evalPure, extractField } from "../ir/pure.js";

interface ExpandedAlt {
  readonly pieces: readonly A.EncodingPiece[];
  readonly wheres: readonly A.Expr[];
  readonly bindings: readonly A.Binding[];
  /** Syntax templates of the format alternatives chosen, by format name. */
  readonly formatSyntax: ReadonlyMap<string, string>;
  readonly syntax: { readonly text: string; readonly span: Span } | null;
  readonly span: Span;
}

export interface InstructionEncodings {
  readonly encodings: IR.Encoding[];
  readonly operands: Map<string, number>;
  readonly partial: Set<string>;
  /**
   * Names of fields and bindings of encodings that had an (already reported) error. The semantics
   * skip their uses silently: reporting each use as an unknown name (E0201) or a partial field
   * (E0406) would only repeat the encoding's error.
   */
  readonly broken: Set<string>;
}

/** Lays out and checks all encodings of one instruction. */
export function instructionEncodings(g: Globals, decl: A.Decl & { kind: "instruction" }): InstructionEncodings {
  const d = g.diagnostics;
  if (decl.encodings.length === 0) d.error("E0401", `instruction '${decl.name.name}' has no encoding; add one, e.g. 'encoding 0001 rd:4;'`, decl.name.span);
  const encodings: IR.Encoding[] = [];
  const broken = new Set<string>();
  let failed = false;
  for (const alt of decl.encodings) {
    const expanded = expand(g, alt, []);
    if (expanded.length === 0) {
      failed = true;
      for (const p of alt.pieces) if (p.kind === "field") broken.add(p.name);
    }
    for (const x of expanded) {
      const syntax = x.syntax ?? decl.syntax;
      const enc = layout(g, x, syntax, decl.name.name, broken);
      if (enc) encodings.push(enc);
      else failed = true;
    }
  }
  // Operands visible to the semantics: names every encoding defines, with one width.
  const counts = new Map<string, { width: number; n: number }>();
  for (const e of encodings) {
    const seen = new Map<string, number>();
    for (const f of e.fields) seen.set(f.name, f.width);
    for (const b of e.bindings) seen.set(b.name, b.width);
    for (const [name, width] of seen) {
      const c = counts.get(name);
      if (!c) counts.set(name, { width, n: 1 });
      else if (c.width !== width) {
        d.error("E0404", `'${name}' is bits(${c.width}) in one encoding of '${decl.name.name}' and bits(${width}) in another; give it one width in every encoding`, e.span);
        c.n = -Infinity;
      } else c.n++;
    }
  }
  const operands = new Map<string, number>();
  const partial = new Set<string>();
  for (const [name, c] of counts) {
    if (c.n === encodings.length) operands.set(name, c.width);
    // After an encoding error (or E0404 above) a missing field may be the error's doing, not a real partial field.
    else if (failed || c.n < 0) broken.add(name);
    else partial.add(name);
  }
  for (const name of operands.keys()) broken.delete(name);
  return { encodings, operands, partial, broken };
}

/** Expands format references into every combination of their alternatives. */
function expand(g: Globals, alt: A.EncodingAlt, stack: string[]): ExpandedAlt[] {
  let results: ExpandedAlt[] = [
    { pieces: [], wheres: alt.where ? [alt.where] : [], bindings: alt.bindings, formatSyntax: new Map(), syntax: alt.syntax, span: alt.span },
  ];
  for (const p of alt.pieces) {
    if (p.kind !== "format") {
      results = results.map((r) => ({ ...r, pieces: [...r.pieces, p] }));
      continue;
    }
    const fmt = g.formats.get(p.name);
    if (!fmt) {
      g.diagnostics.error("E0201", `unknown format '${p.name}' in encoding (a field needs a width: ${p.name}:N or ${p.name}[hi:lo])`, p.span);
      return [];
    }
    if (stack.includes(p.name)) {
      g.diagnostics.error("E0208", `format '${p.name}' refers to itself`, p.span);
      return [];
    }
    g.used.add(`format:${p.name}`);
    const subs = fmt.alternatives.flatMap((a) => expand(g, a, [...stack, p.name]));
    const next: ExpandedAlt[] = [];
    for (const r of results) {
      for (const s of subs) {
        const formatSyntax = new Map([...r.formatSyntax, ...s.formatSyntax]);
        if (s.syntax) formatSyntax.set(p.name, s.syntax.text);
        next.push({
          pieces: [...r.pieces, ...s.pieces],
          wheres: [...r.wheres, ...s.wheres],
          bindings: [...r.bindings, ...s.bindings],
          formatSyntax,
          syntax: r.syntax,
          span: r.span,
        });
      }
    }
    results = next;
  }
  return results;
}

function layout(g: Globals, x: ExpandedAlt, syntax: { text: string; span: Span } | null, instr: string, broken: Set<string>): IR.Encoding | null {
  const d = g.diagnostics;
  // On an error below, the encoding's fields and bindings are recorded as broken (see InstructionEncodings).
  const fail = (): null => {
    for (const p of x.pieces) if (p.kind === "field") broken.add(p.name);
    for (const b of x.bindings) broken.add(b.name.name);
    return null;
  };
  // Backwards slices first: they make the length below meaningless, which was then reported as the
  // (wrong) E0401 instead of this E0403.
  let backwards = false;
  for (const p of x.pieces) {
    if (p.kind === "field" && p.hi < p.lo) {
      d.error("E0403", `field slice ${p.name}[${p.hi}:${p.lo}] runs backwards: write ${p.name}[${p.lo}:${p.hi}] (high bit first)`, p.span);
      backwards = true;
    }
  }
  if (backwards) return fail();
  // Without a valid memory declaration (already reported) the fetch unit is unknown; guessing 8 bits
  // reported a spurious E0401 on every encoding of a machine whose fetch unit was mistyped.
  const fetchUnit = g.memory?.fetchUnit ?? null;
  const widthOfPiece = (p: A.EncodingPiece): number => (p.kind === "bits" ? p.bits.length : p.kind === "field" ? p.hi - p.lo + 1 : 0);
  const length = x.pieces.reduce((s, p) => s + widthOfPiece(p), 0);
  if (length === 0 || (fetchUnit !== null && length % fetchUnit !== 0)) {
    const rule = fetchUnit === null ? "it needs at least one bit" : `it must be a whole number of ${fetchUnit}-bit fetch units`;
    d.error("E0401", `this encoding of '${instr}' is ${length} bits long; ${rule}`, x.span);
    return fail();
  }
  let mask = 0n;
  let match = 0n;
  let pos = length; // next bit to fill is pos-1 (MSB first)
  const fieldPieces = new Map<string, IR.FieldPiece[]>();
  let ok = true;
  for (const p of x.pieces) {
    if (p.kind === "bits") {
      for (const ch of p.bits) {
        pos--;
        if (ch === "-") continue;
        mask |= 1n << BigInt(pos);
        if (ch === "1") match |= 1n << BigInt(pos);
      }
      continue;
    }
    if (p.kind !== "field") continue;
    const list = fieldPieces.get(p.name) ?? [];
    fieldPieces.set(p.name, list);
    const w = p.hi - p.lo + 1;
    if (p.littleEndian) {
      if (w % 8 !== 0) {
        d.error("E0403", `a little-endian field is a whole number of bytes; ${p.name} has ${w} bits`, p.span);
        ok = false;
      }
      for (let byte = 0; byte < w / 8; byte++) {
        list.push({ encHi: pos - 1, encLo: pos - 8, fieldHi: p.lo + byte * 8 + 7, fieldLo: p.lo + byte * 8 });
        pos -= 8;
      }
    } else {
      list.push({ encHi: pos - 1, encLo: pos - w, fieldHi: p.hi, fieldLo: p.lo });
      pos -= w;
    }
  }
  const fields: IR.EncodedField[] = [];
  for (const [name, pieces] of fieldPieces) {
    const bitsSeen = new Set<number>();
    for (const pc of pieces) {
      for (let b = pc.fieldLo; b <= pc.fieldHi; b++) {
        if (bitsSeen.has(b)) {
          d.error("E0403", `bit ${b} of field '${name}' appears twice in this encoding`, x.span);
          ok = false;
        }
        bitsSeen.add(b);
      }
    }
    fields.push({ name, width: Math.max(...pieces.map((p) => p.fieldHi)) + 1, pieces });
  }
  if (!ok) return fail();
  const fieldWidths = new Map(fields.map((f) => [f.name, f.width]));

  // Conditions and bindings see only this encoding's fields.
  const lowerer = new BodyLowerer(g, { operands: fieldWidths, stateAccess: false, nextPc: false, bareReturn: false });
  let where: IR.Expr | null = null;
  for (const w of x.wheres) {
    const c = lowerer.condition(w);
    if (c) where = where ? { kind: "binary", op: "land", left: where, right: c, type: IR.bool } : c;
  }
  const bindings: { name: string; width: number; value: IR.Expr }[] = [];
  for (const b of x.bindings) {
    const t = lowerer.typeRef(b.type);
    if (!t) {
      broken.add(b.name.name);
      continue;
    }
    if (t.kind !== "bits") {
      d.error("E0303", "a binding is a bit vector: declare it as bits(N)", b.type.span);
      broken.add(b.name.name);
      continue;
    }
    if (fieldWidths.has(b.name.name) || bindings.some((o) => o.name === b.name.name)) {
      d.error("E0202", `'${b.name.name}' is already a field or binding of this encoding`, b.name.span);
      continue;
    }
    const v = lowerer.expr(b.value, t);
    if (v) bindings.push({ name: b.name.name, width: t.width, value: v });
    else broken.add(b.name.name);
  }

  // A bad or missing syntax still yields the encoding (with no syntax parts): dropping it would make
  // its fields unknown to the semantics and report every use of them again as E0201. The IR is not
  // returned when there are errors, so the empty syntax is never used.
  let parts: IR.SyntaxPart[] = [];
  if (!syntax) {
    d.error("E0405", `'${instr}' has no assembly syntax: add 'syntax "...";' to the instruction or its encoding`, x.span);
  } else {
    const text = substituteFormats(syntax.text, x.formatSyntax);
    const parsed = parseTemplate(g, text, fieldWidths, syntax.span);
    if (parsed) {
      parts = parsed;
      const shown = templateFields(parts);
      for (const f of fields) {
        if (!shown.has(f.name)) {
          d.error("W0703", `field '${f.name}' of '${instr}' is not shown in its syntax "${text}", so disassembly loses it; show it, e.g. {${f.name}}`, x.span);
        }
      }
    }
  }
  return { length, mask, match, fields, where, bindings, syntax: parts, span: x.span };
}

// ---------------------------------------------------------------- overlap

interface Located {
  readonly instr: number;
  readonly name: string;
  readonly enc: IR.Encoding;
}

/**
 * Reports every pair of encodings some instruction word matches both of, unless the two instructions
 * share an `overlap` group. A `where` condition can separate two patterns; that is decided by trying
 * every value of the bits the conditions read (up to 2^16 of them), else the pair counts as overlapping.
 */
export function checkOverlaps(g: Globals, instructions: readonly IR.Instruction[], groups: readonly (readonly number[])[]): void {
  const all: Located[] = instructions.flatMap((i) => i.encodings.map((enc) => ({ instr: i.id, name: i.name, enc })));
  const declared = (a: number, b: number) => groups.some((gr) => gr.includes(a) && gr.includes(b));
  // Bucket by the first fetch unit's fixed bits to avoid comparing every pair on big ISAs.
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i]!;
      const b = all[j]!;
      if (a.instr !== b.instr && declared(a.instr, b.instr)) continue;
      if (!patternsOverlap(a.enc, b.enc)) continue;
      if (conditionsSeparate(a.enc, b.enc)) continue;
      const what = a.instr === b.instr ? `two encodings of '${a.name}' overlap` : `encodings of '${a.name}' and '${b.name}' overlap`;
      g.diagnostics.error(
        "E0402",
        `${what}: some instruction word matches both. Make them disjoint (fixed bits or 'where'), or declare 'overlap ${a.name}, ${b.name};' to let the first win`,
        b.enc.span,
        [{ message: `the other encoding (${a.name})`, span: a.enc.span }],
      );
    }
  }
}

/** Aligns both patterns to their common prefix (the shorter length) and compares fixed bits there. */
export function patternsOverlap(a: IR.Encoding, b: IR.Encoding): boolean {
  const m = Math.min(a.length, b.length);
  const sa = BigInt(a.length - m);
  const sb = BigInt(b.length - m);
  const ma = a.mask >> sa;
  const mb = b.mask >> sb;
  return (ma & mb & ((a.match >> sa) ^ (b.match >> sb))) === 0n;
}

function conditionsSeparate(a: IR.Encoding, b: IR.Encoding): boolean {
  if (!a.where && !b.where) return false;
  if (a.length !== b.length) return false;
  const free: number[] = [];
  const consider = (enc: IR.Encoding) => {
    if (!enc.where) return;
    const used = exprOperands(enc.where);
    for (const f of enc.fields) {
      if (!used.has(f.name)) continue;
      for (const p of f.pieces) for (let bit = p.encLo; bit <= p.encHi; bit++) {
        const fixed = ((a.mask | b.mask) >> BigInt(bit)) & 1n;
        if (!fixed && !free.includes(bit)) free.push(bit);
      }
    }
  };
  consider(a);
  consider(b);
  if (free.length > 16) return false;
  const base = (a.match & a.mask) | (b.match & b.mask);
  for (let v = 0; v < 1 << free.length; v++) {
    let word = base;
    free.forEach((bit, k) => {
      if ((v >> k) & 1) word |= 1n << BigInt(bit);
    });
    if (holds(a, word) && holds(b, word)) return false;
  }
  return true;
}

function holds(enc: IR.Encoding, word: bigint): boolean {
  if ((word & enc.mask) !== enc.match) return false;
  if (!enc.where) return true;
  const values = new Map(enc.fields.map((f) => [f.name, extractField(f, word)]));
  return evalPure(enc.where, values) === 1n;
}

function exprOperands(e: IR.Expr, out = new Set<string>()): Set<string> {
  if (e.kind === "operand") out.add(e.name);
  for (const child of Object.values(e)) {
    if (child && typeof child === "object" && "kind" in child) exprOperands(child as IR.Expr, out);
    if (Array.isArray(child)) for (const c of child) if (c && typeof c === "object" && "kind" in c) exprOperands(c as IR.Expr, out);
  }
  return out;
}

