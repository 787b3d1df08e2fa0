/**
 * The taint analyses of depends.ts: whether an instruction's run may depend on the privilege mode, on
 * what a location pair's states differ in, on time; and whether it may change control state (the
 * classifier builds no pair, or no run, for one that cannot).
 */
import { expect, test } from "vitest";
import { readsModeBits, readsPlacement, readsTime, writesControl } from "../../src/analysis/depends.js";
import { stateSets } from "../../src/analysis/state-sets.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";

const reads = (file: string, names: string[], source?: string) => {
  const isa = checkSpec(loadSpec(file, source === undefined ? undefined : () => source)).isa!;
  const sets = stateSets(isa);
  return names.map((n) => readsModeBits(isa, sets, isa.instructions.find((i) => i.name === n)!));
};

test("S/370's problem-state instructions never read the PSW's problem-state bit; its privileged ones test it only to trap, which is no dependency between two runs that both complete; SSM's result depends on it, and LPSW and SSK write what translate reads", () => {
  expect(reads("isas/s370.isa", ["LR", "MVC", "CLC", "A"])).toEqual([false, false, false, false]);
  expect(reads("isas/s370.isa", ["STCTL", "LCTL", "SIO"])).toEqual([false, false, false]);
  expect(reads("isas/s370.isa", ["LPSW", "SSK"])).toEqual([true, true]);
  expect(reads("isas/s370.isa", ["SSM", "STNSM"])).toEqual([true, true]);
});

test("a register passed on whole is followed into the function (x86's translate reads CS's limit and base, not its CPL)", () => {
  expect(reads("isas/x86.isa", ["ADD", "PUSH", "JMP_RM"])).toEqual([false, false, false]);
  expect(reads("isas/x86.isa", ["PUSH_SREG", "CALL_FAR", "LAR", "IRET"])).toEqual([true, true, true, true]);
});

test("a user-visible banked register read or written through its alias is presented alike at every mode; one of its banks by name is not (ARM: ADD and LDM use SP and LR, LDM and STM of the User registers name SP_usr and LR_usr)", () => {
  expect(reads("isas/armv7.isa", ["ADD", "MOV", "LDM", "STM"])).toEqual([false, false, false, false]);
  expect(reads("isas/armv7.isa", ["LDM_USR", "STM_USR", "MRS"])).toEqual([true, true, true]);
});

// A mode bit (M[0]) beside other bits of one register, through locals, parameters and results.
const spec = (semantics: string) => `isa t "mode reads";
memory E: bits(8)[256], little, fetch 8;
register M: bits(8) control;
register X: bits(8) user;
register P: bits(8) user pc;
privilege M[0:0] { supervisor = 0; user = 1; }
cause illegal = 0 undefined;
trap entry(code: bits(1)) { M = 0; }
function high(v: bits(8)) -> bits(7) { return v[7:1]; }
function same(v: bits(8)) -> bits(8) { return v; }
function pick(v: bits(8)) -> bits(1) { if v[0] == 1 { return 1; } return 0; }
instruction I { encoding 00000001; syntax "i"; semantics { ${semantics} } }
config c { guest user; }
`;

test("the mode bit followed through locals, parameters and results, bit by bit", () => {
  const of = (semantics: string) => reads("t.isa", ["I"], spec(semantics))[0];
  expect(of("X = zext(high(M), 8);")).toBe(false);
  expect(of("let m: bits(8) = same(M); X = zext(m[7:1], 8);")).toBe(false);
  expect(of("let m: bits(8) = same(M); if m[0] == 1 { X = 1; }")).toBe(true);
  expect(of("X = same(M) + 1;")).toBe(true);
  expect(of("let m: bits(8) = M; X = zext(m[0:0], 8);")).toBe(true);
  // A test whose arm traps: both runs of a pair that complete took the other arm.
  expect(of("if M[0] == 1 { trap illegal; } X = 2;")).toBe(false);
  expect(of("if M[0] == 1 { trap illegal; } else { X = 3; }")).toBe(false);
  expect(of("if M[0] == 1 { X = 2; } else { X = 3; }")).toBe(true);
  // A decision on the mode bit that only picks a function's result taints the result (x86's segment
  // limit test): a dependency where the result is written, none where it only decides a trap.
  expect(of("if pick(M) == 1 { trap illegal; } X = 2;")).toBe(false);
  expect(of("X = zext(pick(M), 8);")).toBe(true);
  // What follows a tainted decision one of whose arms returns runs in one state only.
  expect(of("if M[0] == 1 { return; } X = 2;")).toBe(true);
  expect(of("if M[0] == 1 { let y: bits(8) = 1; } X = 2;")).toBe(false);
});

const placement = (file: string, names: string[]) => {
  const isa = checkSpec(loadSpec(file)).isa!;
  const sets = stateSets(isa);
  return names.map((n) => readsPlacement(isa, sets, isa.instructions.find((i) => i.name === n)!));
};

test("what a location pair's states differ in: control state but the mode bits and time, and physical memory read directly; translate left out (S/370's MVC, CLC and A read memory through it only; LPSW and STCTL read control state)", () => {
  expect(placement("isas/s370.isa", ["MVC", "CLC", "A", "LR"])).toEqual([false, false, false, false]);
  expect(placement("isas/s370.isa", ["LPSW", "STCTL", "STNSM"])).toEqual([true, true, true]);
  expect(placement("isas/x86.isa", ["SGDT", "LAR", "PUSHF"])).toEqual([true, true, true]);
});

test("time and control writes, from the semantics (S/370's STCK reads the clock, A does not; LPSW writes the PSW, x86's HLT halts, MOV neither)", () => {
  const s370 = checkSpec(loadSpec("isas/s370.isa")).isa!;
  const x86 = checkSpec(loadSpec("isas/x86.isa")).isa!;
  const of = (isa: typeof s370, name: string) => isa.instructions.find((i) => i.name === name)!;
  expect([readsTime(s370, stateSets(s370), of(s370, "STCK")), readsTime(s370, stateSets(s370), of(s370, "A"))]).toEqual([true, false]);
  expect([writesControl(s370, stateSets(s370), of(s370, "LPSW")), writesControl(s370, stateSets(s370), of(s370, "A"))]).toEqual([true, false]);
  expect([writesControl(x86, stateSets(x86), of(x86, "HLT")), writesControl(x86, stateSets(x86), of(x86, "MOV"))]).toEqual([true, false]);
});

test("a run that writes a register translate reads and then accesses memory depends on the placement (regression: the brute-force agreement campaign's random ISA whose translate is a ^ R sets R, then stores and loads; popek said no location pair, brute force found one)", () => {
  const source = (semantics: string) => `isa t "placement";
memory E: bits(3)[2], little, fetch 3;
register M: bits(1) control;
register R: bits(1) control;
register X: bits(2) user;
register P: bits(1) user pc;
privilege M { sup = 0; usr = 1; }
cause mem_fault = 0 memory;
cause illegal = 1 undefined;
translate(a: bits(1), access: bits(2)) -> bits(1) { return a ^ R; }
trap entry(code: bits(2)) { M = 0; }
instruction I { encoding 1 f:2; syntax "i"; semantics { ${semantics} } }
config g { guest usr; }
`;
  const of = (semantics: string) => {
    const isa = checkSpec(loadSpec("t.isa", () => source(semantics))).isa!;
    return readsPlacement(isa, stateSets(isa), isa.instructions[0]!);
  };
  expect(of("X = mem[0][1:0];")).toBe(false);
  expect(of("R = 1; X = mem[0][1:0];")).toBe(true);
});
