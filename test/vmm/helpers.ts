/**
 * Shared by the VMM tests: a bundled spec's analysis (from the verdicts the test run computed up
 * front, test/setup/analyse-bundled.ts), and its example programs.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import type { Analysis } from "../../src/analysis/analyze.js";
import { checkSpec } from "../../src/check/check.js";
import { assemble, type AsmResult } from "../../src/machine/assembler.js";
import { Machine, type RunResult } from "../../src/machine/machine.js";
import { loadSpec } from "../../src/syntax/load.js";
import { analyseBundled } from "../setup/bundled-analysis.js";

export const ISAS = resolve(import.meta.dirname, "../../isas");

const analyses = new Map<string, Promise<Analysis>>();

/** The analysis of isas/<spec> under its first (or the named) configuration, made once per test file. */
export function analysisOf(spec: string, config?: string): Promise<Analysis> {
  const key = `${spec}/${config ?? ""}`;
  if (!analyses.has(key)) {
    const checked = checkSpec(loadSpec(join(ISAS, spec)));
    expect(checked.diagnostics.items.filter((d) => d.severity === "error")).toEqual([]);
    const isa = checked.isa!;
    const c = config ? isa.configs.find((x) => x.name === config)! : isa.configs[0]!;
    analyses.set(key, analyseBundled(isa, c));
  }
  return analyses.get(key)!;
}

/** An example program of a spec, assembled. */
export function example(a: Analysis, path: string): AsmResult {
  const r = assemble(a.isa, readFileSync(join(ISAS, path), "utf8"));
  expect(r.errors).toEqual([]);
  return r;
}

/**
 * A program's run on the bare machine, and the instructions it executed (retired, trapped at or
 * halted at): the VMM tests analyse only those, since whole specs take minutes.
 */
export function bareRun(isa: Analysis["isa"], p: AsmResult, maxSteps: number): { machine: Machine; run: RunResult; executed: Set<string> } {
  const machine = new Machine(isa);
  for (const s of p.segments) machine.load(s.address, s.units);
  if (p.entry !== null) machine.state.pc = p.entry;
  const executed = new Set<string>();
  const run = machine.run({
    maxSteps,
    onStep: (s) => {
      if (s.kind === "retired") executed.add(s.decoded.instruction.name);
      else if (s.kind === "trap" && s.trap.instruction) executed.add(s.trap.instruction.name);
      else if (s.kind === "halted") executed.add(machine.decodeAt(s.pc)!.instruction.name);
    },
  });
  return { machine, run, executed };
}
