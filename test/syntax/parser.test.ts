/**
 * The .isa front end: the bundled specs parse cleanly, error recovery reports every independent
 * syntax error of a file in one run, the lexer reports stray characters, and includes are followed
 * (with cycles and missing files reported at the include that causes them).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import type { Diagnostic } from "../../src/syntax/diagnostics.js";
import { loadSpec } from "../../src/syntax/load.js";
import { parseIsa } from "../../src/syntax/parse.js";
import { isaLexer } from "../../src/syntax/tokens.js";

const ISAS = resolve(dirname(fileURLToPath(import.meta.url)), "../../isas");

function allIsaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return allIsaFiles(p);
    return name.endsWith(".isa") ? [p] : [];
  });
}

/** An in-memory reader keyed by absolute path; a missing file fails as fs does (ENOENT). */
function memoryFs(files: Record<string, string>) {
  const byPath = new Map(Object.entries(files).map(([p, t]) => [resolve(p), t]));
  const reads: string[] = [];
  const readFile = (path: string): string => {
    reads.push(resolve(path));
    const text = byPath.get(resolve(path));
    if (text === undefined) {
      const e = new Error(`ENOENT: no such file or directory, open '${path}'`) as NodeJS.ErrnoException;
      e.code = "ENOENT";
      throw e;
    }
    return text;
  };
  return { readFile, reads };
}

const codesAt = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.code}@${d.span.line}`);

describe("bundled specs", () => {
  const files = allIsaFiles(ISAS);

  it("finds the specs and their included files", () => {
    expect(files.map((f) => f.slice(ISAS.length + 1)).sort()).toEqual(expect.arrayContaining(["pg.isa", "pg-flawed.isa", "pg/machine.isa"]));
  });

  for (const file of files) {
    it(`${file.slice(ISAS.length + 1)} parses without diagnostics`, () => {
      const r = parseIsa(file, readFileSync(file, "utf8"));
      expect(r.diagnostics.items.map((d) => `${d.code} ${d.span.line}: ${d.message}`)).toEqual([]);
      expect(r.ast.decls.length).toBeGreaterThan(0);
    });
  }

  for (const file of readdirSync(ISAS).filter((n) => n.endsWith(".isa"))) {
    it(`${file} loads with its includes and checks without errors`, () => {
      const loaded = loadSpec(join(ISAS, file));
      expect(loaded.diagnostics.items).toEqual([]);
      expect(loaded.decls.some((d) => d.kind === "include")).toBe(false);
      const checked = checkSpec(loaded);
      expect(checked.diagnostics.items.filter((d) => d.severity === "error")).toEqual([]);
      expect(checked.isa).not.toBeNull();
      expect(checked.isa!.instructions.length).toBeGreaterThan(0);
    });
  }

  it("pg.isa takes its machine from pg/machine.isa", () => {
    const loaded = loadSpec(join(ISAS, "pg.isa"));
    // pg.isa's own text declares no instruction but RETU; the rest comes from pg/machine.isa.
    expect(loaded.sources.files().some((f) => f.endsWith(join("pg", "machine.isa")))).toBe(true);
    const checked = checkSpec(loaded);
    expect(checked.isa!.instructions.map((i) => i.name)).toEqual(expect.arrayContaining(["LD", "ST", "SVC", "LPSW", "RETU", "HLT"]));
  });

  it("pg.isa declares the instructions of both files, in include order", () => {
    const loaded = loadSpec(join(ISAS, "pg.isa"));
    const names = loaded.decls.flatMap((d) => (d.kind === "instruction" ? [d.name.name] : []));
    // The include comes before RETU in pg.isa, so the machine's instructions come first.
    expect(names[0]).toBe("LD");
    expect(names[names.length - 1]).toBe("RETU");
  });
});

describe("parsing", () => {
  it("builds declarations with spans on the right lines", () => {
    const text = `isa tiny "A tiny machine";
memory E: bits(8)[256], little, fetch 8;

register P: bits(8) user pc = 4;
instruction NOP "does nothing" {
  encoding 0000 0000;
  syntax "nop";
  semantics { }
}
`;
    const r = parseIsa("tiny.isa", text);
    expect(r.diagnostics.items).toEqual([]);
    const [isa, memory, register, instruction] = r.ast.decls;
    expect(isa).toMatchObject({ kind: "isa", name: { name: "tiny" }, title: "A tiny machine", span: { line: 1 } });
    expect(memory).toMatchObject({ kind: "memory", name: { name: "E" }, endian: "little", span: { line: 2 } });
    expect(register).toMatchObject({ kind: "register", name: { name: "P", span: { line: 4, column: 10 } }, isPc: true, role: "user" });
    expect(instruction).toMatchObject({ kind: "instruction", name: { name: "NOP" }, title: "does nothing", span: { line: 5 } });
    if (instruction?.kind !== "instruction") throw new Error("expected an instruction");
    expect(instruction.encodings[0]!.pieces).toEqual([
      expect.objectContaining({ kind: "bits", bits: "0000" }),
      expect.objectContaining({ kind: "bits", bits: "0000" }),
    ]);
  });

  it("reads operator precedence as C does: * before +, + before ==, == before &&", () => {
    const r = parseIsa("p.isa", "const K = 1 + 2 * 3 == 7 && 1 < 2;\n");
    expect(r.diagnostics.items).toEqual([]);
    const k = r.ast.decls[0] as { value: unknown };
    expect(k.value).toMatchObject({
      kind: "binary",
      op: "&&",
      left: { kind: "binary", op: "==", left: { kind: "binary", op: "+", right: { kind: "binary", op: "*" } } },
      right: { kind: "binary", op: "<" },
    });
  });

  it("keeps contextual words usable as names", () => {
    const r = parseIsa("w.isa", "register user: bits(8) user;\nconst pc = 1;\nconst entry = 2;\n");
    expect(r.diagnostics.items).toEqual([]);
    expect(r.ast.decls.map((d) => ("name" in d ? d.name.name : null))).toEqual(["user", "pc", "entry"]);
  });
});

describe("error recovery", () => {
  // Four independent mistakes, each on its own line, separated by good declarations.
  const broken = `isa t;
memory E: bits(8)[256], little, fetch 8;
register R: bits(8) user = ;
const X = 1 +;
register Q: bits(8) user;
function f() { let = 3; }
const Y = 2;
instruction A { encoding 0000 0000; syntax "a"; semantics { R = ; } }
`;

  it("reports every independent syntax error of a file in one parse", () => {
    const r = parseIsa("broken.isa", broken);
    const syntax = r.diagnostics.items.filter((d) => d.code === "E0102");
    expect(syntax.length).toBeGreaterThanOrEqual(3);
    expect(syntax.map((d) => d.span.line)).toEqual([3, 4, 6, 8]);
    for (const d of syntax) {
      expect(d.severity).toBe("error");
      expect(d.span.file).toBe("broken.isa");
      expect(d.message.length).toBeGreaterThan(0);
    }
    // Columns point at the offending token: the ';' after '=' on line 3, the ';' after '+' on line 4.
    expect(syntax[0]!.span.column).toBe(28);
    expect(syntax[1]!.span.column).toBe(14);
    expect(broken.slice(syntax[0]!.span.start, syntax[0]!.span.end)).toBe(";");
  });

  it("keeps the good declarations around the errors", () => {
    const r = parseIsa("broken.isa", broken);
    const names = r.ast.decls.flatMap((d) => ("name" in d ? [d.name.name] : []));
    expect(names).toEqual(expect.arrayContaining(["t", "E", "Q", "Y", "A"]));
  });

  it("reports an error at the end of the file with the last line", () => {
    const text = "isa t;\nconst X = 1 +";
    const r = parseIsa("eof.isa", text);
    const errors = r.diagnostics.items.filter((d) => d.code === "E0102");
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]!.span.line).toBe(2);
    expect(errors[0]!.span.start).toBe(text.length);
  });

  it("reports an unknown top-level word as a syntax error at its line", () => {
    const r = parseIsa("w.isa", "isa t;\n\nregistr R: bits(8) user;\n");
    expect(codesAt(r.diagnostics.items)[0]).toBe("E0102@3");
  });

  it("a checked spec with syntax errors yields no IR", () => {
    const { readFile } = memoryFs({ "/m/broken.isa": broken });
    const checked = checkSpec(loadSpec("/m/broken.isa", readFile));
    expect(checked.isa).toBeNull();
    expect(checked.diagnostics.items.filter((d) => d.code === "E0102").length).toBeGreaterThanOrEqual(3);
  });
});

describe("lexing", () => {
  it("reports a stray character as E0101 at its line and column, and goes on", () => {
    const text = "isa t;\nconst X = 1 $ 2;\nconst Y = 3;\n";
    const r = parseIsa("stray.isa", text);
    const lex = r.diagnostics.items.filter((d) => d.code === "E0101");
    expect(lex).toHaveLength(1);
    expect(lex[0]).toMatchObject({ severity: "error", span: { file: "stray.isa", line: 2, column: 13 } });
    expect(lex[0]!.message).toContain("$");
    expect(text.slice(lex[0]!.span.start, lex[0]!.span.end)).toBe("$");
    // The declaration after it is still read.
    expect(r.ast.decls.some((d) => d.kind === "const" && d.name.name === "Y")).toBe(true);
  });

  it("tells signed comparisons from a comparison with a name that starts with s", () => {
    const image = (t: string) => isaLexer.tokenize(t).tokens.map((x) => x.tokenType.name);
    expect(image("a <s b")).toEqual(["Identifier", "SignedLt", "Identifier"]);
    expect(image("a <sb")).toEqual(["Identifier", "Lt", "Identifier"]);
    expect(image("register_file")).toEqual(["Identifier"]);
    expect(image("register x")).toEqual(["Kw_register", "Identifier"]);
  });

  it("knows no token the grammar does not use: '?' is a stray character, '..' two dots", () => {
    const image = (t: string) => isaLexer.tokenize(t).tokens.map((x) => x.tokenType.name);
    expect(image("a..b")).toEqual(["Identifier", "Dot", "Dot", "Identifier"]);
    const r = parseIsa("q.isa", "isa t;\nconst X = 1 ? 2;\n");
    expect(codesAt(r.diagnostics.items.filter((d) => d.code === "E0101"))).toEqual(["E0101@2"]);
  });

  it("skips comments but keeps line numbers", () => {
    const r = parseIsa("c.isa", "// one\n/* two\n three */ isa t;\nconst X = ;\n");
    expect(codesAt(r.diagnostics.items)).toEqual(["E0102@4"]);
  });
});

describe("includes", () => {
  const machine = `memory E: bits(8)[256], little, fetch 8;
register P: bits(8) user pc;
`;

  it("reads an include relative to the including file, once", () => {
    const { readFile, reads } = memoryFs({
      "/spec/top.isa": 'isa t;\ninclude "parts/a.isa";\ninclude "parts/b.isa";\n',
      "/spec/parts/a.isa": `${machine}include "b.isa";\n`,
      "/spec/parts/b.isa": "const B = 1;\n",
    });
    const loaded = loadSpec("/spec/top.isa", readFile);
    expect(loaded.diagnostics.items).toEqual([]);
    expect(loaded.decls.map((d) => d.kind)).toEqual(["isa", "memory", "register", "const"]);
    expect(reads).toEqual([resolve("/spec/top.isa"), resolve("/spec/parts/a.isa"), resolve("/spec/parts/b.isa")]);
  });

  it("reports an include cycle as E0104 at the include that closes it", () => {
    const { readFile } = memoryFs({
      "/c/a.isa": 'isa t;\ninclude "b.isa";\n',
      "/c/b.isa": '// b\n\ninclude "a.isa";\n',
    });
    const loaded = loadSpec("/c/a.isa", readFile);
    expect(codesAt(loaded.diagnostics.items)).toEqual(["E0104@3"]);
    const d = loaded.diagnostics.items[0]!;
    expect(d.span.file).toMatch(/b\.isa$/);
    expect(d.message).toContain("a.isa");
  });

  it("reports a file that includes itself", () => {
    const { readFile } = memoryFs({ "/c/self.isa": 'isa t;\ninclude "self.isa";\n' });
    const loaded = loadSpec("/c/self.isa", readFile);
    expect(codesAt(loaded.diagnostics.items)).toEqual(["E0104@2"]);
  });

  it("a diamond (two paths to one file) is not a cycle", () => {
    const { readFile, reads } = memoryFs({
      "/d/top.isa": 'include "l.isa";\ninclude "r.isa";\n',
      "/d/l.isa": 'include "base.isa";\n',
      "/d/r.isa": 'include "base.isa";\n',
      "/d/base.isa": "const K = 1;\n",
    });
    const loaded = loadSpec("/d/top.isa", readFile);
    expect(loaded.diagnostics.items).toEqual([]);
    expect(loaded.decls).toHaveLength(1);
    expect(reads.filter((p) => p.endsWith("base.isa"))).toHaveLength(1);
  });

  it("reports a missing include as E0103 at the include line", () => {
    const { readFile } = memoryFs({ "/m/top.isa": 'isa t;\n\ninclude "nowhere.isa";\nconst K = 1;\n' });
    const loaded = loadSpec("/m/top.isa", readFile);
    expect(codesAt(loaded.diagnostics.items)).toEqual(["E0103@3"]);
    expect(loaded.diagnostics.items[0]!.span.file).toBe("/m/top.isa");
    expect(loaded.diagnostics.items[0]!.message).toContain("nowhere.isa");
    // The rest of the including file is still loaded.
    expect(loaded.decls.map((d) => d.kind)).toEqual(["isa", "const"]);
  });

  it("reports a missing top-level file as E0103 on that file", () => {
    const { readFile } = memoryFs({});
    const loaded = loadSpec("/m/absent.isa", readFile);
    expect(loaded.diagnostics.items).toHaveLength(1);
    expect(loaded.diagnostics.items[0]).toMatchObject({ code: "E0103", span: { file: "/m/absent.isa", line: 1 } });
  });

  it("reports syntax errors in an included file against that file", () => {
    const { readFile } = memoryFs({
      "/s/top.isa": 'isa t;\ninclude "inc.isa";\n',
      "/s/inc.isa": "const A = 1;\nconst B = ;\n",
    });
    const loaded = loadSpec("/s/top.isa", readFile);
    expect(codesAt(loaded.diagnostics.items)).toEqual(["E0102@2"]);
    expect(loaded.diagnostics.items[0]!.span.file).toMatch(/inc\.isa$/);
    expect(loaded.sources.text(loaded.diagnostics.items[0]!.span.file)).toBe("const A = 1;\nconst B = ;\n");
  });
});
