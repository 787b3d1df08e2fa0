/**
 * Focused tests of what the checker decides, beyond the wording of its messages (that is what the
 * baselines in diagnostics.test.ts pin down): width inference, overlap and its exceptions, hard-wired
 * entries, banked registers, recursion, returns, warnings and how expectations resolve.
 *
 * Each spec is the shared valid prelude (test/check/cases/prelude.isa: an 8-bit machine with R[4],
 * MODE, PC, cause `illegal` and an instruction NOP = 0x00) plus a few lines, checked in memory.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import type * as IR from "../../src/ir/ir.js";
import type { Code, Diagnostic } from "../../src/syntax/diagnostics.js";
import { loadSpec } from "../../src/syntax/load.js";

const here = dirname(fileURLToPath(import.meta.url));
const PRELUDE = readFileSync(join(here, "cases", "prelude.isa"), "utf8");

interface Checked {
  readonly isa: IR.Isa | null;
  readonly diagnostics: readonly Diagnostic[];
  readonly codes: readonly Code[];
  readonly text: string;
}

/** Checks the prelude followed by `extra` (or `extra` alone), entirely in memory. */
function check(extra: string, options: { prelude?: boolean } = {}): Checked {
  const text = (options.prelude === false ? "" : PRELUDE + "\n") + extra;
  const loaded = loadSpec("spec.isa", (p) => {
    if (p === "spec.isa") return text;
    throw Object.assign(new Error(`no file ${p}`), { code: "ENOENT" });
  });
  const result = checkSpec(loaded);
  return { isa: result.isa, diagnostics: result.diagnostics.items, codes: result.diagnostics.items.map((d) => d.code), text };
}

/** A one-instruction spec: opcode 0001, two 2-bit fields rd and rs, and the given semantics. */
function semantics(body: string, decls = ""): Checked {
  return check(`${decls}
instruction T "test" {
  encoding 0001 rd:2 rs:2;
  syntax "t {rd}, {rs}";
  semantics { ${body} }
}`);
}

/** The source text a diagnostic points at. */
function at(c: Checked, d: Diagnostic): string {
  return c.text.slice(d.span.start, d.span.end);
}

function only(c: Checked, code: Code): Diagnostic {
  expect(c.codes).toEqual([code]);
  return c.diagnostics[0]!;
}

function clean(c: Checked): IR.Isa {
  expect(c.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  expect(c.isa).not.toBeNull();
  return c.isa!;
}

function instruction(isa: IR.Isa, name: string): IR.Instruction {
  const i = isa.instructions.find((x) => x.name === name);
  expect(i, `instruction ${name}`).toBeDefined();
  return i!;
}

describe("the prelude", () => {
  it("is a complete, valid spec with no diagnostics", () => {
    const isa = clean(check(""));
    expect(isa.instructions.map((i) => i.name)).toEqual(["NOP"]);
  });
});

describe("literal width inference", () => {
  it("a literal takes the width of the other operand: x + 1 is fine", () => {
    const isa = clean(semantics("R[rd] = R[rd] + 1;"));
    const body = instruction(isa, "T").body;
    expect(body).toHaveLength(1);
    const set = body[0]! as IR.Stmt & { kind: "setRegFile" };
    expect(set.kind).toBe("setRegFile");
    const add = set.value as IR.Expr & { kind: "binary" };
    expect(add.op).toBe("add");
    expect(add.right).toEqual({ kind: "const", value: 1n, width: 8 });
  });

  it("also when the literal comes first: 1 + x", () => {
    clean(semantics("R[rd] = 1 + R[rd];"));
  });

  it("in an untyped let, x + 1 has the width of x", () => {
    clean(semantics("let y = R[rd] + 1; R[rd] = y;"));
  });

  it("1 + 2 alone in an untyped let has no width: E0304, pointing at the literal", () => {
    const c = semantics("let x = 1 + 2; R[rd] = x;");
    const d = only(c, "E0304");
    expect(at(c, d)).toBe("1");
  });

  it("a typed let gives the literals their width", () => {
    clean(semantics("let x: bits(8) = 1 + 2; R[rd] = x;"));
  });

  it("a literal too big for the width it takes is E0305; a negative one wraps", () => {
    expect(semantics("R[rd] = R[rd] + 256;").codes).toEqual(["E0305"]);
    clean(semantics("R[rd] = R[rd] + -1;"));
    clean(semantics("R[rd] = 255;"));
  });

  it("a binary literal has its own width, one per digit, and is not widened", () => {
    clean(semantics("R[rd] = 0b00000101;"));
    expect(semantics("R[rd] = 0b101;").codes).toEqual(["E0301"]);
  });

  it("an unsized constant behaves like a literal, a sized one like a value", () => {
    clean(semantics("R[rd] = R[rd] + STEP;", "const STEP = 2;"));
    expect(semantics("R[rd] = R[rd] + STEP;", "const STEP: bits(4) = 2;").codes).toEqual(["E0301"]);
  });

  it("a literal in a comparison takes the other side's width", () => {
    clean(semantics("if R[rd] == 3 { R[rd] = 0; }"));
    expect(semantics("if 3 == 4 { R[rd] = 0; }").codes).toContain("E0304");
  });
});

describe("no implicit width changes", () => {
  const W = "register W: bits(16) user;";

  it("bits(8) + bits(16) is E0301, at the operand of the wrong width", () => {
    const c = semantics("let x = R[rd] + W; R[rd] = x[7:0];", W);
    const d = only(c, "E0301");
    expect(at(c, d)).toBe("W");
    expect(d.message).toContain("bits(8)");
    expect(d.message).toContain("bits(16)");
  });

  it("assigning bits(16) to a bits(8) register is E0301", () => {
    expect(semantics("R[rd] = W;", W).codes).toEqual(["E0301"]);
  });

  it("comparing bits(8) with bits(16) is E0301", () => {
    expect(semantics("if R[rd] == W { R[rd] = 0; }", W).codes).toEqual(["E0301"]);
  });

  it("explicit slices and extensions are accepted", () => {
    clean(semantics("R[rd] = W[7:0]; W = zext(R[rs], 16) + W; W = sext(R[rs], 16); R[rd] = trunc(W, 8);", W));
  });

  it("zext cannot narrow and needs a width where the context gives none (E0310)", () => {
    expect(semantics("R[rd] = zext(W, 8);", W).codes).toEqual(["E0310"]);
    expect(semantics("if zext(R[rd]) == W { R[rd] = 0; }", W).codes).toEqual(["E0310"]);
    // With a width from context, zext(x) is fine.
    clean(semantics("W = zext(R[rd]);", W));
  });

  it("concatenation adds widths: bits(8) @ bits(8) is bits(16)", () => {
    clean(semantics("W = R[rd] @ R[rs];", W));
    expect(semantics("R[rd] = R[rd] @ R[rs];", W).codes).toEqual(["E0301"]);
  });
});

describe("overlapping encodings", () => {
  const A = `instruction A "a" {
  encoding 0001 rd:2 rs:2;
  syntax "a {rd}, {rs}";
  semantics { R[rd] = R[rs]; }
}`;
  const B = `instruction B "b" {
  encoding 0001 00 rs:2;
  syntax "b {rs}";
  semantics { R[0] = R[rs]; }
}`;

  it("two instructions some word matches both is E0402, with a note at the other encoding", () => {
    const c = check(`${A}\n${B}`);
    const d = only(c, "E0402");
    expect(d.message).toContain("'A' and 'B'");
    expect(d.message).toContain("overlap A, B;");
    expect(at(c, d)).toBe("encoding 0001 00 rs:2;");
    expect(d.related).toHaveLength(1);
    expect(at(c, { ...d, span: d.related![0]!.span })).toBe("encoding 0001 rd:2 rs:2;");
  });

  it("'overlap A, B;' silences it and records the group, the first named winning", () => {
    const isa = clean(check(`${A}\n${B}\noverlap B, A;`));
    const a = instruction(isa, "A").id;
    const b = instruction(isa, "B").id;
    expect(isa.overlaps).toEqual([[b, a]]);
  });

  it("an overlap group does not excuse instructions outside it", () => {
    const C = `instruction C "c" {
  encoding 0001 01 rs:2;
  syntax "c {rs}";
  semantics { R[1] = R[rs]; }
}`;
    const c = check(`${A}\n${B}\n${C}\noverlap A, B;`);
    expect(c.codes).toEqual(["E0402"]);
    expect(c.diagnostics[0]!.message).toContain("'A' and 'C'");
  });

  it("disjoint fixed bits do not overlap", () => {
    clean(check(`${A}
instruction D "d" {
  encoding 0010 rd:2 rs:2;
  syntax "d {rd}, {rs}";
  semantics { R[rd] = R[rs]; }
}`));
  });

  it("two encodings of one instruction may overlap too", () => {
    const c = check(`instruction E "e" {
  encoding 0001 rd:2 rs:2 syntax "e {rd}, {rs}";
  encoding 0001 rd:2 00 syntax "e {rd}" { let rs: bits(2) = 0; }
  semantics { R[rd] = R[rs]; }
}`);
    expect(c.codes).toEqual(["E0402"]);
    expect(c.diagnostics[0]!.message).toContain("two encodings of 'E' overlap");
  });

  it("'where' conditions that separate two otherwise overlapping encodings are accepted", () => {
    clean(check(`instruction EQ "rd == rs" {
  encoding 0001 rd:2 rs:2 where rd == rs;
  syntax "eq {rd}, {rs}";
  semantics { R[rd] = 0; }
}
instruction NE "rd != rs" {
  encoding 0001 rd:2 rs:2 where rd != rs;
  syntax "ne {rd}, {rs}";
  semantics { R[rd] = R[rs]; }
}`));
  });

  it("a 'where' on one side that excludes the other's fixed bits separates them", () => {
    clean(check(`instruction A "a" {
  encoding 0001 rd:2 rs:2 where rd != 0;
  syntax "a {rd}, {rs}";
  semantics { R[rd] = R[rs]; }
}
${B}`));
  });

  it("'where' conditions that leave a common word still overlap", () => {
    const c = check(`instruction A "a" {
  encoding 0001 rd:2 rs:2 where rd != 0;
  syntax "a {rd}, {rs}";
  semantics { R[rd] = R[rs]; }
}
instruction B "b" {
  encoding 0001 rd:2 rs:2 where rs != 0;
  syntax "b {rd}, {rs}";
  semantics { R[rs] = R[rd]; }
}`);
    expect(c.codes).toEqual(["E0402"]);
  });

  it("overlap names must be instructions, at least two (E0407)", () => {
    expect(check(`overlap NOP, NOTHING;`).codes).toEqual(["E0407"]);
    expect(check(`overlap NOP;`).codes).toEqual(["E0407"]);
  });
});

describe("hard-wired entries", () => {
  it("a write to a hard-wired register-file entry at a constant index is dropped", () => {
    const isa = clean(semantics("R[0] = R[rs];", "hardwire R[0] = 0;"));
    expect(instruction(isa, "T").body).toEqual([]);
  });

  it("reading a hard-wired entry at a computed index yields the wired value for that index", () => {
    const isa = clean(semantics("R[rd] = R[rs];", "hardwire R[0] = 0;"));
    const [set] = instruction(isa, "T").body as [IR.Stmt & { kind: "if" }];
    // The write is guarded by 'index != 0', and the read chooses the constant when rs == 0.
    expect(set.kind).toBe("if");
    const write = set.then[0] as IR.Stmt & { kind: "setRegFile" };
    expect(write.kind).toBe("setRegFile");
    const read = write.value as IR.Expr & { kind: "ite" };
    expect(read.kind).toBe("ite");
    expect(read.then).toEqual({ kind: "const", value: 0n, width: 8 });
  });

  it("a hard-wired field keeps its value through writes of the whole register", () => {
    const isa = clean(check(`register FLAGS: bits(8) control { Z[0], ONE[7] };
hardwire FLAGS.ONE = 1;
instruction CLR "clear the flags" {
  encoding 00010000;
  syntax "clr";
  semantics { FLAGS = 0; }
}`));
    const [set] = instruction(isa, "CLR").body as [IR.Stmt & { kind: "setReg" }];
    expect(set.kind).toBe("setReg");
    const v = set.value as IR.Expr & { kind: "concat" };
    expect(v.kind).toBe("concat");
    expect(v.parts[0]).toEqual({ kind: "const", value: 1n, width: 1 });
  });

  it("a whole hard-wired register is never written", () => {
    const isa = clean(check(`register ZERO: bits(8) user;
hardwire ZERO = 0;
instruction Z "write zero" {
  encoding 0001 rd:2 00;
  syntax "z {rd}";
  semantics { ZERO = R[rd]; R[rd] = ZERO; }
}`));
    const body = instruction(isa, "Z").body;
    expect(body).toHaveLength(1);
    expect((body[0] as IR.Stmt & { kind: "setRegFile" }).value).toEqual({ kind: "const", value: 0n, width: 8 });
  });

  it("what cannot be hard-wired is reported", () => {
    expect(check("hardwire R[4] = 0;").codes).toEqual(["E0207"]);
    expect(check("hardwire R = 0;").codes).toEqual(["E0207"]);
    expect(check("hardwire NOTHING = 0;").codes).toEqual(["E0207"]);
    expect(check("hardwire MODE = 2;").codes).toEqual(["E0305"]);
    expect(check("register F: bits(8) control { A[0] };\nhardwire F.B = 1;").codes).toEqual(["E0203"]);
  });
});

describe("assignment targets", () => {
  it("a slice, bit or field of a register with hard-wired bits may be assigned", () => {
    clean(semantics("F[5:2] = 0b1111; F[7] = 1; F.LOW[0] = 1; Z[0] = 1; R[0][3:0] = 0b1010; R[rd][7] = 1;",
      "register F: bits(8) control { LOW[1:0] };\nhardwire F.LOW = 0;\nregister Z: bits(8) user;\nhardwire Z = 0;\nhardwire R[0] = 0;"));
  });

  it("a slice of a banked register writes the selected bank: the read and the write both test the selector", () => {
    const isa = clean(semantics("SP[3:0] = R[rs][3:0];", "banked SP: bits(8) user by MODE { sup = 0; usr = 1; }"));
    const [tmp, write] = instruction(isa, "T").body as [IR.Stmt & { kind: "let" }, IR.Stmt & { kind: "if" }];
    expect([tmp.kind, write.kind]).toEqual(["let", "if"]);
    // The new value keeps the high half of the selected bank, read through the same selector.
    const value = tmp.value as IR.Expr & { kind: "concat" };
    expect(value.kind).toBe("concat");
    expect((value.parts[0] as IR.Expr & { kind: "slice" }).value.kind).toBe("ite");
  });

  it("a 'for' variable, next_pc and a let cannot be assigned (E0207); a mistake in a loop body is reported once", () => {
    expect(semantics("for i = 0 to 3 { i = 1; }").codes).toEqual(["E0207"]);
    expect(semantics("for i = 0 to 3 { R[i] = nothing; }").codes).toEqual(["E0201"]);
    expect(semantics("next_pc = 0;").codes).toEqual(["E0207"]);
    expect(semantics("let x = R[rd]; x[0] = 1;").codes).toEqual(["E0207"]);
  });

  it("part of a memory unit, or of an expression, cannot be assigned (E0207)", () => {
    expect(semantics("MEM[0][3:0] = 0;").codes).toEqual(["E0207"]);
    expect(semantics("(R[rd] @ R[rs])[3:0] = 0;").codes).toEqual(["E0207"]);
  });
});

describe("banked registers", () => {
  const use = `instruction S "use SP" {
  encoding 0001 rd:2 00;
  syntax "s {rd}";
  semantics { SP = R[rd]; }
}`;

  it("banks that cover every selector value are accepted, one storage element each", () => {
    const isa = clean(check(`banked SP: bits(8) user by MODE { sup = 0; usr = 1; }\n${use}`));
    expect(isa.state.filter((e) => e.bankOf === "SP").map((e) => e.name)).toEqual(["SP_sup", "SP_usr"]);
  });

  it("a default bank '_' covers the rest", () => {
    clean(check(`banked SP: bits(8) user by MODE { sup = 0; other = _; }\n${use}`));
  });

  it("selector values no bank covers, without a default, are E0507", () => {
    const c = check(`banked SP: bits(8) user by MODE { sup = 0; }\n${use}`);
    const d = only(c, "E0507");
    expect(d.message).toContain("1 of 2");
  });

  it("two defaults, a value in two banks, a value too wide: E0507 each", () => {
    expect(check(`banked SP: bits(8) user by MODE { a = _; b = _; }`).codes).toEqual(["E0507"]);
    expect(check(`banked SP: bits(8) user by MODE { a = 0; b = 0 | 1; }`).codes).toEqual(["E0507"]);
    expect(check(`banked SP: bits(8) user by MODE { a = 0; b = 2; }`).codes).toContain("E0507");
  });

  it("a banked write selects the bank by the selector", () => {
    const isa = clean(check(`banked SP: bits(8) user by MODE { sup = 0; usr = 1; }\n${use}`));
    const body = instruction(isa, "S").body;
    // let tmp = R[rd]; if MODE == 0 { SP_sup = tmp } else { SP_usr = tmp }
    expect(body.map((s) => s.kind)).toEqual(["let", "if"]);
  });
});

describe("recursion", () => {
  it("a function that calls itself is E0208, at its name", () => {
    const c = semantics("R[rd] = f(R[rs]);", "function f(x: bits(8)) -> bits(8) { return f(x); }");
    const d = only(c, "E0208");
    expect(at(c, d)).toBe("f");
    expect(d.message).toContain("f -> f");
  });

  it("mutual recursion is E0208 and names the cycle", () => {
    const c = semantics(
      "R[rd] = f(R[rs]);",
      `function f(x: bits(8)) -> bits(8) { return g(x); }
function g(x: bits(8)) -> bits(8) { return f(x); }`,
    );
    expect(c.codes).toEqual(["E0208"]);
    expect(c.diagnostics[0]!.message).toMatch(/f -> g -> f|g -> f -> g/);
  });

  it("a chain of calls without a cycle is fine", () => {
    clean(semantics(
      "R[rd] = f(R[rs]);",
      `function g(x: bits(8)) -> bits(8) { return x + 1; }
function f(x: bits(8)) -> bits(8) { return g(g(x)); }`,
    ));
  });
});

describe("missing return", () => {
  const use = (fn: string) => semantics("R[rd] = f(R[rs]);", fn);

  it("an 'if' without 'else' can fall off the end: E0308 at the body", () => {
    const c = use("function f(x: bits(8)) -> bits(8) { if x == 0 { return 1; } }");
    const d = only(c, "E0308");
    expect(d.message).toContain("'f'");
    expect(at(c, d).startsWith("{")).toBe(true);
  });

  it("an empty body with a result is E0308", () => {
    expect(use("function f(x: bits(8)) -> bits(8) { }").codes).toEqual(["E0308"]);
  });

  it("every branch returning, a trap or a halt at the end, or a complete match are fine", () => {
    clean(use("function f(x: bits(8)) -> bits(8) { if x == 0 { return 1; } else { return x; } }"));
    clean(use("function f(x: bits(8)) -> bits(8) { if x == 0 { return 1; } trap illegal; }"));
    clean(use("function f(x: bits(8)) -> bits(8) { if x == 0 { return 1; } halt; }"));
    clean(use("function f(x: bits(8)) -> bits(8) { match x[1:0] { 0 => return 1; _ => return 2; } }"));
  });

  it("a match without a wildcard can fall through", () => {
    expect(use("function f(x: bits(8)) -> bits(8) { match x[1:0] { 0 => return 1; 1 => return 2; } }").codes).toEqual(["E0308"]);
  });

  it("'return;' without a value in a function with a result is E0308", () => {
    expect(use("function f(x: bits(8)) -> bits(8) { return; }").codes).toEqual(["E0308"]);
  });

  it("a return whose value has an error is not also a missing return", () => {
    expect(use("function f(x: bits(8)) -> bits(8) { return y; }").codes).toEqual(["E0201"]);
  });
});

describe("unreachable code (W0702)", () => {
  it("a statement after return, trap or halt is a warning, and the spec still checks", () => {
    for (const end of ["return;", "trap illegal;", "halt;"]) {
      const c = semantics(`${end} R[rd] = 0;`);
      const d = only(c, "W0702");
      expect(d.severity).toBe("warning");
      expect(at(c, d)).toBe("R[rd] = 0;");
      expect(c.isa).not.toBeNull();
    }
  });

  it("only the first unreachable statement is reported", () => {
    expect(semantics("halt; R[rd] = 0; R[rs] = 0;").codes).toEqual(["W0702"]);
  });

  it("match arms after the wildcard are unreachable", () => {
    expect(semantics("match rd { _ => R[0] = 1; 0 => R[0] = 2; }").codes).toEqual(["W0702"]);
  });
});

describe("unused declarations (W0701)", () => {
  it("a function nobody calls is a warning at its name", () => {
    const c = check("function helper() { R[0] = 0; }");
    const d = only(c, "W0701");
    expect(at(c, d)).toBe("helper");
    expect(c.isa).not.toBeNull();
  });

  it("a function called from an instruction, or from another used function, is not", () => {
    clean(semantics("g();", "function f() { R[0] = 0; }\nfunction g() { f(); }"));
  });

  it("translate is applied by memory accesses and never reported as unused", () => {
    clean(check("translate(a: bits(8), access: bits(2)) -> bits(8) { return a; }"));
  });

  it("unused constants, causes, operand kinds and formats are warnings too", () => {
    expect(check("const K = 1;").codes).toEqual(["W0701"]);
    expect(check("cause svc = 2;").codes).toEqual(["W0701"]);
    expect(check("operand reg = [a, b];").codes).toEqual(["W0701"]);
    expect(check("format f { encoding rd:2 syntax \"{rd}\"; }").codes).toEqual(["W0701"]);
  });
});

describe("fields not shown in the syntax (W0703)", () => {
  it("a field the syntax leaves out is a warning naming the field", () => {
    const c = check(`instruction I "i" {
  encoding 0001 rd:2 rs:2;
  syntax "i {rd}";
  semantics { R[rd] = R[rs]; }
}`);
    const d = only(c, "W0703");
    expect(d.message).toContain("'rs'");
    expect(c.isa).not.toBeNull();
  });

  it("shown fields, in any operand format, are not", () => {
    clean(check(`operand reg = [r0, r1, r2, r3];
instruction I "i" {
  encoding 0001 rd:2 rs:2;
  syntax "i {rd:reg}, {rs:hex}";
  semantics { R[rd] = R[rs]; }
}`));
  });
});

describe("expectations", () => {
  it("resolve instruction properties and theorems to instructions and configurations", () => {
    const isa = clean(check(`instruction SVC "s" {
  encoding 00010000;
  syntax "svc";
  semantics { trap illegal; }
}
config classic { guest user; }
expect NOP innocuous;
expect SVC not sensitive in classic;
expect vmm holds;
expect hvm fails [SVC, NOP] in classic;`));
    const nop = instruction(isa, "NOP").id;
    const svc = instruction(isa, "SVC").id;
    expect(isa.configs.map((c) => c.name)).toEqual(["classic"]);
    expect(isa.expectations.map(({ span: _span, ...e }) => e)).toEqual([
      { kind: "instruction", instruction: nop, property: "innocuous", negated: false, config: null },
      { kind: "instruction", instruction: svc, property: "sensitive", negated: true, config: 0 },
      { kind: "theorem", theorem: "vmm", holds: true, problems: null, config: null },
      { kind: "theorem", theorem: "hvm", holds: false, problems: [svc, nop], config: 0 },
    ]);
  });

  it("an unknown property is E0602 at the property", () => {
    const c = check("expect NOP harmless;");
    expect(at(c, only(c, "E0602"))).toBe("harmless");
  });

  it("an unknown target is E0602 at the target", () => {
    const c = check("expect NOPE innocuous;");
    expect(at(c, only(c, "E0602"))).toBe("NOPE");
  });

  it("an unknown configuration, problem instruction, or misuse of theorem words is E0602", () => {
    expect(check("expect NOP innocuous in nowhere;").codes).toEqual(["E0602"]);
    expect(check("expect vmm fails [NOPE];").codes).toEqual(["E0602"]);
    expect(check("expect vmm not holds;").codes).toEqual(["E0602"]);
    expect(check("expect vmm holds [NOP];").codes).toEqual(["E0602"]);
    expect(check("expect NOP privileged [NOP];").codes).toEqual(["E0602"]);
  });

  it("without a config, a default guest runs at the least privileged level", () => {
    const isa = clean(check("expect vmm holds;"));
    expect(isa.configs).toHaveLength(1);
    expect(isa.configs[0]!.name).toBe("default");
    expect(isa.configs[0]!.guestLevel).toBe(1);
  });
});

describe("error recovery inside the checker", () => {
  it("a bad encoding does not make its fields unknown in the semantics", () => {
    // 7 bits: E0401 only, not also E0201 for every use of rd.
    expect(check(`instruction I "i" {
  encoding 0001 rd:2 0;
  syntax "i {rd}";
  semantics { R[rd] = R[rd] + 1; }
}`).codes).toEqual(["E0401"]);
  });

  it("a bad syntax template does not make the fields unknown either", () => {
    expect(check(`instruction I "i" {
  encoding 0001 rd:2 00;
  syntax "i {rd:nokind}";
  semantics { R[rd] = R[rd] + 1; }
}`).codes).toEqual(["E0209"]);
  });

  it("a let whose value failed is not reported again where it is used", () => {
    expect(semantics("let x = nothing; R[rd] = x; R[rs] = x + 1;").codes).toEqual(["E0201"]);
  });

  it("every independent error is reported", () => {
    const c = semantics("R[rd] = nothing; R[rs] = true; R[0] = R[1][9:0]; trap nope;");
    expect(c.codes).toEqual(["E0201", "E0303", "E0307", "E0204"]);
  });
});
