/**
 * Robustness of the front end: every bundled spec, with a few tokens deleted, duplicated or swapped,
 * must still be read without an exception. Whatever is wrong with the text has to come back as
 * Diagnostic objects with a catalogue code and a real position, and the checker must return an IR
 * exactly when it reported no error.
 *
 * The mutations work on Chevrotain tokens but keep the whitespace and comments between them, so the
 * mutated text keeps its line structure and diagnostics still point at plausible lines.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import { Codes, type Diagnostic } from "../../src/syntax/diagnostics.js";
import { loadSpec } from "../../src/syntax/load.js";
import { isaLexer } from "../../src/syntax/tokens.js";

const ISAS = resolve(dirname(fileURLToPath(import.meta.url)), "../../isas");

/** Every .isa file under isas/ (top-level specs and the files they include), by absolute path. */
function allIsaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return allIsaFiles(p);
    return name.endsWith(".isa") ? [p] : [];
  });
}

const realTexts = new Map(allIsaFiles(ISAS).map((p) => [p, readFileSync(p, "utf8")]));
const topSpecs = readdirSync(ISAS)
  .filter((n) => n.endsWith(".isa"))
  .map((n) => join(ISAS, n))
  .sort();

/** An in-memory file system: the bundled files, with `overrides` replacing some of them. */
function memoryReader(overrides: ReadonlyMap<string, string>) {
  return (path: string): string => {
    const key = resolve(path);
    const text = overrides.get(key) ?? realTexts.get(key);
    if (text === undefined) {
      const e = new Error(`ENOENT: no such file or directory, open '${path}'`) as NodeJS.ErrnoException;
      e.code = "ENOENT";
      throw e;
    }
    return text;
  };
}

/** The files a spec reads (itself and its includes), as loaded from the real text. */
function filesOf(spec: string): string[] {
  const seen: string[] = [];
  loadSpec(spec, (p) => {
    const key = resolve(p);
    seen.push(key);
    return memoryReader(new Map())(p);
  });
  return seen;
}

interface Piece {
  /** Whitespace and comments before the token. */
  readonly gap: string;
  readonly image: string;
}

function piecesOf(text: string): { pieces: Piece[]; tail: string } {
  const lexed = isaLexer.tokenize(text);
  expect(lexed.errors).toEqual([]);
  const pieces: Piece[] = [];
  let pos = 0;
  for (const t of lexed.tokens) {
    pieces.push({ gap: text.slice(pos, t.startOffset), image: t.image });
    pos = t.endOffset! + 1;
  }
  return { pieces, tail: text.slice(pos) };
}

type Mutation = { kind: "delete"; at: number } | { kind: "duplicate"; at: number } | { kind: "swap"; at: number; with: number };

/** Applies mutations; positions are fractions of the current length, so any list applies. */
function mutate(pieces: readonly Piece[], mutations: readonly Mutation[]): Piece[] {
  const out = [...pieces];
  for (const m of mutations) {
    if (out.length === 0) break;
    const i = m.at % out.length;
    if (m.kind === "delete") out.splice(i, 1);
    else if (m.kind === "duplicate") out.splice(i + 1, 0, { gap: " ", image: out[i]!.image });
    else {
      const j = m.with % out.length;
      const a = out[i]!;
      const b = out[j]!;
      out[i] = { gap: a.gap, image: b.image };
      out[j] = { gap: b.gap, image: a.image };
    }
  }
  return out;
}

function join_(pieces: readonly Piece[], tail: string): string {
  return pieces.map((p) => p.gap + p.image).join("") + tail;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
);

/** Loads and checks `spec` with `file` replaced by `text`; throws only if popek itself throws. */
function loadAndCheck(spec: string, file: string, text: string) {
  const loaded = loadSpec(spec, memoryReader(new Map([[file, text]])));
  const checked = checkSpec(loaded);
  return { loaded, checked };
}

const CODE = /^[EW]\d{4}$/;

/** The property every outcome must satisfy; returns a description of the first violation. */
function problemWith(result: ReturnType<typeof loadAndCheck>): string | null {
  const items: readonly Diagnostic[] = result.checked.diagnostics.items;
  for (const d of items) {
    if (!CODE.test(d.code) || !(d.code in Codes)) return `bad code ${JSON.stringify(d.code)}`;
    if (d.severity !== (d.code.startsWith("W") ? "warning" : "error")) return `${d.code} has severity ${d.severity}`;
    if (!(d.span.line >= 1) || !Number.isInteger(d.span.line)) return `${d.code} at line ${d.span.line}: ${d.message}`;
    if (!(d.span.column >= 1)) return `${d.code} at column ${d.span.column}: ${d.message}`;
    if (typeof d.message !== "string" || d.message.length === 0) return `${d.code} without a message`;
  }
  const hasErrors = items.some((d) => d.severity === "error");
  if (hasErrors && result.checked.isa !== null) return "an IR came back despite errors";
  if (!hasErrors && result.checked.isa === null) return "no IR and no error to say why";
  return null;
}

// Fixed seed and a bounded run count keep CI deterministic and fast; set POPEK_FUZZ_SEED /
// POPEK_FUZZ_RUNS to explore further by hand.
const SEED = Number(process.env.POPEK_FUZZ_SEED ?? 20240611);
const RUNS_PER_FILE = Number(process.env.POPEK_FUZZ_RUNS ?? 120);

describe("mutated bundled specs", () => {
  it("finds bundled specs to fuzz", () => {
    expect(topSpecs.length).toBeGreaterThanOrEqual(2);
    for (const spec of topSpecs) {
      const { checked } = loadAndCheck(spec, "/nonexistent", "");
      expect(checked.isa, spec).not.toBeNull();
    }
  });

  for (const spec of topSpecs) {
    for (const file of filesOf(spec)) {
      const name = `${spec.slice(ISAS.length + 1)}${file === resolve(spec) ? "" : ` (mutating ${file.slice(ISAS.length + 1)})`}`;
      it(`${name}: never throws, reports with codes and positions`, () => {
        const { pieces, tail } = piecesOf(realTexts.get(file)!);
        fc.assert(
          fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 5 }), (mutations) => {
            const text = join_(mutate(pieces, mutations), tail);
            const problem = problemWith(loadAndCheck(spec, file, text));
            if (problem) throw new Error(`${problem}\n--- mutated text ---\n${text}`);
          }),
          { seed: SEED, numRuns: RUNS_PER_FILE, includeErrorInReport: true },
        );
      });
    }
  }
});

/** The property is not vacuous: it flags each kind of bad outcome. */
describe("the property itself", () => {
  const file = resolve("/virtual/p.isa");
  const good = () => loadAndCheck(file, file, "isa t;\nconst X = ;\n");
  const withItems = (items: Diagnostic[], isa: unknown = null) => {
    const r = good();
    return { ...r, checked: { isa: isa as null, diagnostics: { ...r.checked.diagnostics, items } as typeof r.checked.diagnostics } };
  };

  it("accepts a real syntax error report", () => {
    expect(problemWith(good())).toBeNull();
  });

  it("flags a diagnostic without a real line, with an unknown code, or an IR despite errors", () => {
    const d = good().checked.diagnostics.items[0]!;
    expect(problemWith(withItems([{ ...d, span: { ...d.span, line: 0 } }]))).toMatch(/line 0/);
    expect(problemWith(withItems([{ ...d, code: "E9999" as Diagnostic["code"] }]))).toMatch(/bad code/);
    expect(problemWith(withItems([d], {}))).toMatch(/IR came back/);
    expect(problemWith(withItems([]))).toMatch(/no IR/);
  });
});

/**
 * Inputs that once crashed the front end (found by the property above or while exploring around it),
 * kept as concrete cases: each must now be reported with the expected code at the expected line.
 */
describe("regressions found by fuzzing", () => {
  const base = `isa t;
memory E: bits(8)[256], little, fetch 8;
register P: bits(8) user pc;
register M: bits(1) control;
register R[4]: bits(8) user;
privilege M { s = 0; u = 1; }
cause bad = 0 undefined;
trap entry(c: bits(2)) { P = 0; }
`;
  const file = resolve("/virtual/t.isa");
  const run = (text: string) => {
    const r = loadAndCheck(file, file, text);
    expect(problemWith(r)).toBeNull();
    return r.checked.diagnostics.items.filter((d) => d.severity === "error").map((d) => `${d.code}@${d.span.line}`);
  };

  it("the base spec checks without errors", () => {
    expect(run(`${base}instruction NOP { encoding 00000000; syntax "nop"; semantics { } }\n`)).toEqual([]);
  });

  // Error recovery inserted a virtual string token with an empty image, and JSON.parse("") threw
  // (SyntaxError: Unexpected end of JSON input) in CstToAst.string.
  it("a string that error recovery had to insert", () => {
    const errors = run("isa t;\ninclude ;\n");
    expect(errors[0]).toBe("E0102@2");
  });

  // The lexer accepts any backslash escape and raw tabs inside a string; JSON.parse did not.
  it("a string with an escape JSON does not know", () => {
    expect(run('isa t "\\q";\n')).toEqual(["E0102@1"]);
    expect(run('isa t "a\tb";\n')).toEqual(["E0102@1"]);
  });

  // evalConst built 1n << 10000000000n: RangeError "Maximum BigInt size exceeded".
  it("a constant shifted by a huge amount", () => {
    const errors = run(`${base}const K = 1 << 10000000000;\ninstruction NOP { encoding 00000000; syntax "nop"; semantics { } }\n`);
    expect(errors).toEqual(["E0305@9"]);
    // A sized value shifted past its width is simply zero.
    expect(run(`${base}const K = 0b00000001 << 10000000000;\ninstruction NOP { encoding 00000000; syntax "nop"; semantics { R[0] = K; } }\n`)).toEqual([]);
  });

  // Error recovery left a match arm without its statement; CstToAst.stmt read its children anyway.
  it("a match arm whose statement is missing", () => {
    const errors = run(`${base}instruction NOP { encoding 00000000; syntax "nop"; semantics {\n  match R[0] {\n    0 operand R[1] = 1;\n    1 => R[1] = 2;\n  }\n} }\n`);
    expect(errors.length).toBeGreaterThan(0);
  });

  // A negative constant bit position in an assignment slipped past the bounds check into the IR.
  it("assigning a bit at a negative position", () => {
    const errors = run(`${base}instruction NOP { encoding 00000000; syntax "nop"; semantics {\n  R[0][-1] = 1;\n} }\n`);
    expect(errors).toEqual(["E0307@10"]);
  });
});
