/**
 * walkReachable: every node a piece of IR can run, through the functions it calls, each once.
 */
import { expect, test } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import { walkReachable, type IrNode } from "../../src/ir/walk.js";
import { loadSpec } from "../../src/syntax/load.js";

const source = `isa t "walk";
memory E: bits(8)[256], little, fetch 8;
register M: bits(1) control;
register X: bits(8) user;
register P: bits(8) user pc;
privilege M { supervisor = 0; user = 1; }
cause illegal = 0 undefined;
trap entry(code: bits(1)) { M = 0; }
function inner(v: bits(8)) -> bits(8) { either { return v; } or { return v + 1; } }
function outer(v: bits(8)) -> bits(8) { return inner(v) + inner(v + 2); }
instruction A { encoding 00000001; syntax "a"; semantics { X = outer(X); if X == 7 { X = 0; } } }
config c { guest user; }
`;

test("each node once, functions once however often they are called, and no types or spans", () => {
  const r = checkSpec(loadSpec("t.isa", () => source));
  expect(r.diagnostics.items.filter((d) => d.severity === "error")).toEqual([]);
  const isa = r.isa!;
  const nodes: IrNode[] = [];
  walkReachable(isa, isa.instructions[0]!.body, (n) => nodes.push(n));
  expect(nodes.filter((n) => n.kind === "either").length).toBe(1);
  expect(nodes.filter((n) => n.kind === "call").length).toBe(3); // outer once in A, inner twice in outer
  expect(nodes.filter((n) => n.kind === "if").length).toBe(1);
  expect(nodes.some((n) => (n.kind as string) === "bits" || (n.kind as string) === "bool")).toBe(false);
  expect(new Set(nodes).size).toBe(nodes.length);
});
