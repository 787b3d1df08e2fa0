/**
 * Verdicts shared between configurations an instruction cannot tell apart (src/analysis/share.ts).
 */
import { expect, test } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import type { InstructionVerdict } from "../../src/analysis/classify.js";
import { SharedVerdicts, splitRequirements } from "../../src/analysis/share.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";

const isa = checkSpec(loadSpec("isas/x86.isa")).isa!;
const classic = isa.configs.find((c) => c.name === "classic")!;
const umip = isa.configs.find((c) => c.name === "umip")!;
const instr = (name: string) => isa.instructions.find((i) => i.name === name)!;
const FLAGS = ["privileged", "controlSensitive", "behaviorSensitive", "locationSensitive", "modeSensitive", "userSensitive", "timingDependent", "sensitive", "vmmProblem", "hvmProblem", "class"] as const;
const flags = (v: InstructionVerdict) => Object.fromEntries(FLAGS.map((k) => [k, v[k]]));

test("a requirement on a register the instruction never touches is left out; one on a register it reads is kept", () => {
  // PUSHF reads EFLAGS (IOPL among it), never CR4.
  const pushf = splitRequirements(isa, umip, instr("PUSHF"))!;
  expect(pushf.kept.length).toBe(1);
  expect(pushf.unobserved.map((u) => isa.state[u.element]!.name)).toEqual(["CR4"]);
  // SMSW checks CR4.UMIP (kept), and never reads EFLAGS.
  const smsw = splitRequirements(isa, umip, instr("SMSW"))!;
  expect(smsw.unobserved.map((u) => isa.state[u.element]!.name)).toEqual(["EFLAGS"]);
  expect(smsw.kept.length).toBe(1);
});

test("an instruction that cannot tell two configurations apart is solved once; its shared verdict is the one solving gives, with witness states that meet the configuration", async () => {
  const only = ["PUSHF", "SMSW"];
  const shared = new SharedVerdicts();
  const reused: string[] = [];
  // One after the other: in one thread, analyses take turns with Z3 (the CLI's workers run them at once).
  const a = await analyze(isa, classic, { only, shared });
  const b = await analyze(isa, umip, { only, shared, onInstruction: (v, r) => (r ? reused.push(v.name) : null) });
  expect(reused).toEqual(["PUSHF"]);
  const solved = await analyze(isa, umip, { only });
  for (const name of only) {
    const [x, y] = [b, solved].map((an) => an.instructions.find((v) => v.name === name)!);
    expect(flags(x!)).toEqual(flags(y!));
  }
  // SMSW reveals CR0 in classic (a problem) and traps under UMIP: not shared, and different.
  const smsw = (an: typeof a) => an.instructions.find((v) => v.name === "SMSW")!;
  expect(smsw(a).vmmProblem).toBe(true);
  expect(smsw(b).vmmProblem).toBe(false);
  const pushf = b.instructions.find((v) => v.name === "PUSHF")!;
  expect(pushf.evidence.length).toBeGreaterThan(0);
  for (const w of pushf.evidence) {
    for (const s of w.states) if (s.level === "ring3") expect(BigInt(s.registers.CR4!) & (1n << 11n)).toBe(1n << 11n);
  }
});

test("a verdict shared with an identical instruction of another spec carries this spec's instruction (its source location)", async () => {
  const flawed = checkSpec(loadSpec("isas/pg-flawed.isa")).isa!;
  const pg = checkSpec(loadSpec("isas/pg.isa")).isa!;
  const shared = new SharedVerdicts();
  const only = ["LD"];
  await analyze(flawed, flawed.configs[0]!, { only, shared });
  const reused: string[] = [];
  const a = await analyze(pg, pg.configs[0]!, { only, shared, onInstruction: (v, r) => (r ? reused.push(v.name) : null) });
  expect(reused).toEqual(["LD"]);
  expect(a.instructions[0]!.instruction).toBe(pg.instructions.find((i) => i.name === "LD"));
});
