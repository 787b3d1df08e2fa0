/**
 * The example guest kernels of every bundled ISA under the generated VMM: each ends with the same
 * final virtual state and output as on the bare machine — pg, s370 and riscv32 with plain
 * trap-and-emulate, x86 and armv7 (where Theorem 1 fails) with patching, the flawed P&G machine with
 * patching and as a hybrid VMM — whichever executor runs the guest directly (the engine or the
 * interpreter).
 *
 * One analysis per ISA, of the instructions its example programs execute on the bare machine: the
 * generated VMM needs the analyzer's verdict on exactly those (its routines and the patcher's
 * problem set). The verdicts come from the test run's analysis of the bundled specs
 * (test/setup/analyse-bundled.ts); a test file run on its own without it solves them here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import type { Analysis } from "../../src/analysis/analyze.js";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkSpec } from "../../src/check/check.js";
import { assemble, type AsmResult } from "../../src/machine/assembler.js";
import { loadSpec } from "../../src/syntax/load.js";
import type { ExecutorKind } from "../../src/vmm/runtime/executor.js";
import type { VmmMode } from "../../src/vmm/runtime/hypervisor.js";
import { runSession } from "../../src/vmm/session.js";
import { analyseBundled } from "../setup/bundled-analysis.js";
import { bareRun, ISAS } from "./helpers.js";

afterAll(async () => {
  await shutdownZ3();
});

const MAX = 100_000;

interface Case {
  readonly spec: string;
  readonly programs: readonly string[];
  readonly modes: readonly VmmMode[];
}

const CASES: readonly Case[] = [
  { spec: "pg.isa", programs: ["pg/examples/supervisor.s", "pg/examples/user.s"], modes: ["trap"] },
  { spec: "pg-flawed.isa", programs: ["pg/examples/retu.s", "pg/examples/selfmod.s", "pg/examples/supervisor.s"], modes: ["patch", "hvm"] },
  { spec: "s370.isa", programs: ["s370/examples/kernel.s", "s370/examples/user.s"], modes: ["trap"] },
  { spec: "riscv32.isa", programs: ["riscv32/examples/kernel.s", "riscv32/examples/user.s"], modes: ["trap"] },
  { spec: "x86.isa", programs: ["x86/examples/kernel.s", "x86/examples/user.s", "x86/examples/flags.s"], modes: ["patch"] },
  { spec: "armv7.isa", programs: ["armv7/examples/kernel.s", "armv7/examples/user.s"], modes: ["patch"] },
];

function program(a: { isa: Analysis["isa"] }, path: string): AsmResult {
  const r = assemble(a.isa, readFileSync(join(ISAS, path), "utf8"));
  expect(r.errors).toEqual([]);
  return r;
}

/** The instructions a program executes (retired or trapped) on the bare machine. */
function executed(isa: Analysis["isa"], p: AsmResult): Set<string> {
  const { run, executed } = bareRun(isa, p, MAX);
  expect(run.status).toBe("halted");
  return executed;
}

const analyses = new Map<string, Promise<Analysis>>();
/** The analysis of a case's spec, on the instructions its programs execute (once per spec). */
function analysisFor(c: Case): Promise<Analysis> {
  if (!analyses.has(c.spec)) {
    const checked = checkSpec(loadSpec(join(ISAS, c.spec)));
    expect(checked.diagnostics.items.filter((d) => d.severity === "error")).toEqual([]);
    const isa = checked.isa!;
    const only = new Set<string>();
    for (const p of c.programs) executed(isa, program({ isa }, p)).forEach((n) => only.add(n));
    analyses.set(c.spec, analyseBundled(isa, isa.configs[0]!, { only: [...only].sort() }));
  }
  return analyses.get(c.spec)!;
}

const EXECUTORS: readonly ExecutorKind[] = ["engine", "interp"];

describe.each(CASES)("$spec", (c) => {
  const runs = c.programs.flatMap((p) => c.modes.flatMap((mode) => EXECUTORS.map((executor) => [p, mode, executor] as const)));
  test.each(runs)("%s in %s mode on the %s ends as on the bare machine", async (path, mode, executor) => {
    const a = await analysisFor(c);
    expect(a.internalErrors).toEqual([]);
    const s = await runSession(a, program(a, path), { mode, vms: 1, nested: 1, maxSteps: MAX, executor });
    expect(s.bare.status).toBe("halted");
    const g = s.guests[0]!;
    expect(g.vm.executor.kind).toBe(executor);
    expect(g.differences).toEqual([]);
    expect(g.vm.halted).toBe(true);
    expect(g.vm.virtual.output).toEqual(s.bare.state.output);
    expect(g.vm.steps).toBe(s.bare.steps);
    // The guest ran on the machine (a hybrid VMM interprets virtual supervisor mode, which is all
    // selfmod.s runs in); everything the VMM emulated has a routine.
    if (mode === "hvm") expect(g.vm.stats.interpreted).toBeGreaterThan(0);
    else expect(g.vm.stats.direct).toBeGreaterThan(0);
    for (const name of g.vm.stats.routines.keys()) expect(s.vmm.routines.has(name)).toBe(true);
  });
});

describe("x86 needs patching: PUSHF and POPF at ring 3 (flags.s)", () => {
  const x86 = CASES.find((c) => c.spec === "x86.isa")!;

  test.each(EXECUTORS)("on the %s, trap-and-emulate ends in a different state and patching does not", async (executor) => {
    const a = await analysisFor(x86);
    expect([...(await runSession(a, program(a, "x86/examples/flags.s"), { mode: "patch", vms: 1, nested: 1, maxSteps: MAX, executor })).vmm.problems]).toEqual(
      expect.arrayContaining(["PUSHF", "POPF"]),
    );
    const trap = await runSession(a, program(a, "x86/examples/flags.s"), { mode: "trap", vms: 1, nested: 1, maxSteps: MAX, executor });
    const patch = await runSession(a, program(a, "x86/examples/flags.s"), { mode: "patch", vms: 1, nested: 1, maxSteps: MAX, executor });
    // On the bare machine the guest sees IF clear inside its critical section and set after POPF.
    expect(trap.bare.state.output).toEqual([0x2n, 0x202n]);
    const t = trap.guests[0]!;
    const p = patch.guests[0]!;
    expect(t.differences.length).toBeGreaterThan(0);
    expect(t.vm.virtual.output).not.toEqual([0x2n, 0x202n]);
    expect(p.differences).toEqual([]);
    // Why: in trap mode PUSHF and POPF ran directly at ring 3 (they do not trap there); in patch
    // mode the patcher replaced them and the dispatcher interpreted them on the virtual flags.
    expect([...t.vm.stats.unpatched.keys()].sort()).toEqual(["POPF", "PUSHF"]);
    expect(t.vm.stats.routines.has("PUSHF") || t.vm.stats.routines.has("POPF")).toBe(false);
    expect(p.vm.stats.unpatched.size).toBe(0);
    expect(p.vm.stats.patched).toBeGreaterThanOrEqual(4);
    expect(p.vm.stats.routines.get("PUSHF")).toBe(3);
    expect(p.vm.stats.routines.get("POPF")).toBe(1);
  });
});
