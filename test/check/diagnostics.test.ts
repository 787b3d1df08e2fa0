/**
 * Diagnostic baselines, in the style of Sail's typecheck-fail tests and TypeScript's error baselines.
 *
 * Every `test/check/cases/*.isa` is a small spec with one deliberate mistake (`prelude.isa` is the
 * shared valid part; `include/` holds helper files that are not cases). Next to each case, `NAME.expect`
 * holds exactly what popek prints for it: the rendered diagnostics (no color, paths relative to the
 * repository root, sorted), separated by blank lines.
 *
 * When a message improves on purpose, regenerate the baselines and review the diff:
 *   UPDATE_BASELINES=1 npx vitest run test/check
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import { Codes, renderDiagnostic, sortDiagnostics, type Code, type Diagnostic } from "../../src/syntax/diagnostics.js";
import { loadSpec } from "../../src/syntax/load.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..");
const casesDir = join(here, "cases");
const update = process.env.UPDATE_BASELINES === "1";

/**
 * Codes no spec can produce, each with the reason. Keep it empty: a code listed here is dead and
 * should rather be removed from the catalogue (or the checker taught to use it).
 */
const UNREACHABLE: ReadonlyMap<Code, string> = new Map<Code, string>([]);

/** Case files: every .isa directly in cases/ except the shared prelude. */
const caseFiles = readdirSync(casesDir)
  .filter((f) => f.endsWith(".isa") && f !== "prelude.isa")
  .sort();

/** The code a case is about, from its name (`E0201-unknown-name.isa`); null for the mixed cases. */
function codeOf(file: string): Code | null {
  const m = /^([EW]\d{4})-/.exec(file);
  return m ? (m[1] as Code) : null;
}

/** The path as the user would type it from the repository root, which is what diagnostics show. */
function casePath(file: string): string {
  return relative(repoRoot, join(casesDir, file)).split("\\").join("/");
}

interface Outcome {
  readonly diagnostics: readonly Diagnostic[];
  /** Diagnostics of loading and parsing alone (before the checker). */
  readonly loadDiagnostics: readonly Diagnostic[];
  readonly rendered: string;
  readonly lineCounts: ReadonlyMap<string, number>;
}

function run(path: string): Outcome {
  const loaded = loadSpec(path);
  const result = checkSpec(loaded);
  const diagnostics = sortDiagnostics(result.diagnostics.items);
  const rendered = diagnostics.length === 0 ? "" : diagnostics.map((d) => renderDiagnostic(d, loaded.sources, { color: false })).join("\n\n") + "\n";
  const lineCounts = new Map(loaded.sources.files().map((f) => [f, loaded.sources.text(f)!.split("\n").length]));
  return { diagnostics, loadDiagnostics: loaded.diagnostics.items, rendered, lineCounts };
}

/** The codes named in a rendered baseline (`file:line:col: error E0201: ...`). */
function codesIn(rendered: string): Set<string> {
  return new Set([...rendered.matchAll(/^\S+:\d+:\d+: (?:error|warning) ([EW]\d{4}): /gm)].map((m) => m[1]!));
}

// loadSpec shows included files relative to the working directory; run from the repository root so
// that the baselines do not depend on where vitest was started.
const startDir = process.cwd();
beforeAll(() => process.chdir(repoRoot));
afterAll(() => process.chdir(startDir));

describe("diagnostic baselines", () => {
  it("has cases", () => {
    expect(caseFiles.length).toBeGreaterThan(40);
  });

  it("the shared prelude is a valid spec with no diagnostics at all", () => {
    const out = run(casePath("prelude.isa"));
    expect(out.rendered).toBe("");
  });

  it.each(caseFiles)("%s matches its .expect baseline", (file) => {
    const out = run(casePath(file));
    const expectPath = join(casesDir, file.replace(/\.isa$/, ".expect"));
    if (update) {
      writeFileSync(expectPath, out.rendered);
      return;
    }
    expect(existsSync(expectPath), `missing baseline ${casePath(file.replace(/\.isa$/, ".expect"))}; create it with UPDATE_BASELINES=1 npx vitest run test/check`).toBe(true);
    const expected = readFileSync(expectPath, "utf8");
    expect(out.rendered, `diagnostics of ${casePath(file)} differ from its .expect baseline (diff: - expected, + actual). If the change is intended, run UPDATE_BASELINES=1 npx vitest run test/check and review the diff`).toBe(expected);
  });

  it("no baseline is left without its case", () => {
    const orphans = readdirSync(casesDir).filter((f) => f.endsWith(".expect") && !caseFiles.includes(f.replace(/\.expect$/, ".isa")));
    if (update) for (const f of orphans) rmSync(join(casesDir, f));
    else expect(orphans, "delete these .expect files or restore their .isa cases").toEqual([]);
  });
});

describe("each case", () => {
  it.each(caseFiles)("%s starts with a // comment saying what it tests", (file) => {
    const first = readFileSync(join(casesDir, file), "utf8").split("\n")[0]!;
    expect(first).toMatch(/^\/\/ \S/);
    const code = codeOf(file);
    if (code) expect(first, "the comment names the code the case is about").toContain(code);
  });

  it.each(caseFiles.filter((f) => codeOf(f) !== null))("%s reports its code, and only that code", (file) => {
    const out = run(casePath(file));
    const codes = out.diagnostics.map((d) => d.code);
    expect(codes).toContain(codeOf(file));
    // One deliberate mistake: anything else is a cascade (or a second mistake in the case).
    expect(new Set(codes)).toEqual(new Set([codeOf(file)]));
  });

  it.each(caseFiles)("%s: every diagnostic has file:line:col inside a loaded file and a non-empty message", (file) => {
    const out = run(casePath(file));
    expect(out.diagnostics.length).toBeGreaterThan(0);
    for (const d of out.diagnostics) {
      for (const at of [d.span, ...(d.related ?? []).map((r) => r.span)]) {
        expect(at.file).toMatch(/\.isa$/);
        expect(out.lineCounts.has(at.file), `${at.file} is a loaded file`).toBe(true);
        expect(at.line).toBeGreaterThanOrEqual(1);
        expect(at.line).toBeLessThanOrEqual(out.lineCounts.get(at.file)!);
        expect(at.column).toBeGreaterThanOrEqual(1);
        expect(at.end).toBeGreaterThanOrEqual(at.start);
      }
      expect(d.message.trim()).not.toBe("");
      for (const r of d.related ?? []) expect(r.message.trim()).not.toBe("");
      expect(d.severity).toBe(d.code.startsWith("W") ? "warning" : "error");
      // Only a missing declaration has nothing better to point at than the top of the file; anything
      // else at 1:1 means a span was lost (as every expression span was, before the parser tracked
      // node locations).
      if (d.code !== "E0501") expect(`${d.span.line}:${d.span.column}`, `${d.code} ${d.message}`).not.toBe("1:1");
    }
  });
});

describe("coverage of the catalogue", () => {
  it("every code in Codes has a case whose baseline contains it (or a documented reason why not)", () => {
    const seen = new Set<string>();
    for (const file of caseFiles) {
      const expectPath = join(casesDir, file.replace(/\.isa$/, ".expect"));
      const rendered = existsSync(expectPath) && !update ? readFileSync(expectPath, "utf8") : run(casePath(file)).rendered;
      for (const c of codesIn(rendered)) seen.add(c);
    }
    const missing = (Object.keys(Codes) as Code[]).filter((c) => !seen.has(c) && !UNREACHABLE.has(c));
    expect(missing, "codes with no case: add test/check/cases/CODE-what.isa").toEqual([]);
    const listedButCovered = [...UNREACHABLE.keys()].filter((c) => seen.has(c));
    expect(listedButCovered, "these codes are reachable after all: drop them from UNREACHABLE").toEqual([]);
  });

  it("the case names use only codes of the catalogue", () => {
    const unknown = caseFiles.map(codeOf).filter((c): c is Code => c !== null && !(c in Codes));
    expect(unknown).toEqual([]);
  });
});

describe("several errors in one file", () => {
  it("are all reported by the checker, not just the first", () => {
    const out = run(casePath("multiple-errors.isa"));
    // Loading and parsing are clean, so every diagnostic below comes from the checker phase.
    expect(out.loadDiagnostics).toEqual([]);
    const errorCodes = new Set(out.diagnostics.filter((d) => d.severity === "error").map((d) => d.code));
    expect(errorCodes.size).toBeGreaterThanOrEqual(3);
    expect([...errorCodes].sort()).toEqual(["E0201", "E0204", "E0301", "E0307"]);
    // Each error sits in a different instruction, on its own line.
    const lines = out.diagnostics.filter((d) => d.severity === "error").map((d) => d.span.line);
    expect(new Set(lines).size).toBe(lines.length);
  });
});
