/**
 * Random tiny ISAs for the brute-force agreement test: a 1-bit mode, 1-bit relocation and resource
 * registers, a 1-bit time register the tick advances, a 2-bit user register, two 3-bit memory units
 * and one instruction `10 f:2` whose semantics is a random program over all of them. Translation
 * is a bijection (a ^ R or a) with a random trap condition, so the program's view of memory is
 * exactly what the solver's memory model assumes, and brute force can enumerate every state.
 */
import fc from "fast-check";

const v2: fc.Memo<string> = fc.memo((depth) => {
  const leaves = fc.constantFrom("X", "f", "zext(C, 2)", "zext(R, 2)", "zext(M, 2)", "zext(T, 2)", "0b00", "0b01", "0b10", "0b11", "zext(P, 2)", "zext(next_pc, 2)", "mem[f[0]][1:0]", "mem[P][2:1]");
  if (depth <= 1) return leaves;
  return fc.oneof(
    { weight: 3, arbitrary: leaves },
    { weight: 1, arbitrary: fc.tuple(v2(depth - 1), fc.constantFrom("+", "^", "&", "|", "-"), v2(depth - 1)).map(([a, op, b]) => `(${a} ${op} ${b})`) },
    { weight: 1, arbitrary: fc.tuple(cond(depth - 1), v2(depth - 1), v2(depth - 1)).map(([c, a, b]) => `(if ${c} then ${a} else ${b})`) },
  );
});

const cond: fc.Memo<string> = fc.memo((depth) =>
  fc.oneof(
    fc.constantFrom("M == 1", "M == 0", "C == 1", "R == 1", "T == 1", "f[1] == 1", "X == 0"),
    fc.tuple(v2(Math.max(1, depth - 1)), fc.constantFrom("==", "!=", "<", "<s"), v2(Math.max(1, depth - 1))).map(([a, op, b]) => `${a} ${op} ${b}`),
  ),
);

const addr = fc.constantFrom("f[0]", "X[0]", "P", "0", "1", "C", "R");

const stmt: fc.Memo<string> = fc.memo((depth) => {
  const simple = fc.oneof(
    v2(2).map((e) => `X = ${e};`),
    v2(2).map((e) => `C = (${e})[0];`),
    v2(2).map((e) => `R = (${e})[0];`),
    v2(2).map((e) => `M = (${e})[0];`),
    v2(2).map((e) => `T = (${e})[0];`),
    addr.map((a) => `P = ${a};`),
    fc.tuple(addr, v2(2)).map(([a, e]) => `mem[${a}] = zext(${e}, 3);`),
    fc.constantFrom("trap priv;", "trap svc;", "halt;"),
    v2(1).map((e) => `output(${e});`),
  );
  if (depth <= 1) return simple;
  return fc.oneof(
    { weight: 4, arbitrary: simple },
    { weight: 2, arbitrary: fc.tuple(cond(2), block(depth - 1), block(depth - 1)).map(([c, a, b]) => `if ${c} { ${a} } else { ${b} }`) },
    { weight: 1, arbitrary: fc.tuple(block(depth - 1), block(depth - 1)).map(([a, b]) => `either { ${a} } or { ${b} }`) },
  );
});

const block = (depth: number) => fc.array(stmt(depth), { minLength: 0, maxLength: 3 }).map((ss) => ss.join(" "));

const translate = fc.constantFrom(
  "return a ^ R;",
  "if a == 1 && R == 0 { trap mem_fault; } return a ^ R;",
  "if M == 1 && a == 1 && C == 1 { trap mem_fault; } return a;",
  "if access == WRITE && M == 1 && a == 0 { trap mem_fault; } return a;",
  "return a;",
);

export interface RandomIsa {
  readonly source: string;
  readonly semantics: string;
}

/** A whole random spec as .isa source. */
export const randomIsa: fc.Arbitrary<RandomIsa> = fc
  .record({
    guard: fc.constantFrom("", "if M == 1 { trap priv; }", "if M == 1 && f[0] == 1 { trap priv; }", "if M == 1 && C == 0 { trap priv; }"),
    body: fc.array(stmt(3), { minLength: 1, maxLength: 4 }).map((ss) => ss.join("\n    ")),
    translate,
    require: fc.constantFrom("", "require C == 0;", "require R == 1;"),
  })
  .map(({ guard, body, translate: tr, require }) => {
    const semantics = `${guard}\n    ${body}`;
    const source = `isa tiny "random";
memory E: bits(3)[2], little, fetch 3;
register M: bits(1) control;
register R: bits(1) control;
register C: bits(1) control;
register T: bits(1) control;
register X: bits(2) user;
register P: bits(1) user pc;
privilege M { sup = 0; usr = 1; }
cause mem_fault = 0 memory;
cause illegal = 1 undefined;
cause priv = 2;
cause svc = 3;
translate(a: bits(1), access: bits(2)) -> bits(1) { ${tr} }
trap entry(code: bits(2)) { M = 0; }
tick { T = T + 1; }
operand any = [a, b, c, d];
instruction I {
  encoding 1 f:2;
  syntax "i {f:any}";
  semantics {
    ${semantics}
  }
}
config g { guest usr; ${require} }
`;
    return { source, semantics };
  });
