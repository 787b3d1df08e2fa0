/**
 * The guest's translation under the VMM on the engine: a guest that rewrites a live page-table entry
 * (the translation in use, blocks compiled through it) sees the new mapping as the bare machine
 * does - data and code, with and without the fence - whether the engine compiles the guest's
 * translate into its blocks or calls the VMM's through its translation cache.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkSpec } from "../../src/check/check.js";
import { assemble } from "../../src/machine/assembler.js";
import { generateVmm } from "../../src/vmm/generate.js";
import { loadVmm } from "../../src/vmm/load.js";
import { EngineExecutor } from "../../src/vmm/runtime/engine-executor.js";
import { RealHost } from "../../src/vmm/runtime/host.js";
import { Hypervisor } from "../../src/vmm/runtime/hypervisor.js";
import { compareStates } from "../../src/vmm/session.js";
import { loadSpec } from "../../src/syntax/load.js";
import { bareRun, ISAS } from "./helpers.js";

afterAll(async () => {
  await shutdownZ3();
});

const MAX = 20_000;

describe("riscv32: rewriting a live Sv32 page-table entry", () => {
  /** The program, its run on the bare machine, and the analysis of the instructions it runs (once). */
  const setup = (async () => {
    const isa = checkSpec(loadSpec(join(ISAS, "riscv32.isa"))).isa!;
    const program = assemble(isa, readFileSync(join(import.meta.dirname, "programs", "riscv32-remap.s"), "utf8"));
    // The VMM needs the analyzer's verdict on the instructions the program runs (all of RV32 takes long).
    const { machine: bare, run, executed } = bareRun(isa, program, MAX);
    return { program, bare, run, a: await analyze(isa, isa.configs[0]!, { only: [...executed].sort() }) };
  })();

  test.each(["compiled", "hooks"] as const)("the guest sees the new mapping as on the bare machine (translation %s)", async (translation) => {
    const { program, bare, run, a } = await setup;
    expect(program.errors).toEqual([]);
    expect(run.status).toBe("halted");
    expect(bare.state.output).toEqual([2020n, 2020n, 20020n]);
    const vmm = await loadVmm(generateVmm(a));
    const h = new Hypervisor(a.isa, vmm, new RealHost(a.isa), { mode: "trap", translation });
    const vm = h.createVm((m) => {
      for (const s of program.segments) s.units.forEach((u, i) => u !== 0n && m.set(s.address + BigInt(i), u));
    });
    h.run(MAX);
    expect(compareStates(a.isa, bare.state, vm.virtual, vm.memory, bare.state.halted, vm.halted)).toEqual([]);
    const executor = vm.executor as EngineExecutor;
    expect(executor.direct !== null).toBe(translation === "compiled");
    // The loops ran on the machine, not in the VMM's routines.
    expect(vm.stats.direct).toBeGreaterThan(300);
  });
});
