/**
 * The VMM runtime on Popek and Goldberg's machine: trap-and-emulate runs the example supervisor with
 * the same final state as the bare machine; the flawed machine's RETU defeats it, and patching or a
 * hybrid VMM restore equivalence; the patcher hides its patches from loads and drops blocks the
 * guest overwrites; several VMs stay apart; VMMs nest.
 */
import { afterAll, describe, expect, test } from "vitest";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { generateVmm } from "../../src/vmm/generate.js";
import { loadVmm } from "../../src/vmm/load.js";
import { RealHost } from "../../src/vmm/runtime/host.js";
import { Hypervisor } from "../../src/vmm/runtime/hypervisor.js";
import { directRatio } from "../../src/vmm/runtime/stats.js";
import { compareStates, runSession } from "../../src/vmm/session.js";
import { analysisOf, example } from "./helpers.js";

afterAll(async () => {
  await shutdownZ3();
});

const MAX = 100_000;

describe("pg: trap-and-emulate", () => {
  test("the example supervisor ends as on the bare machine, innocuous instructions running directly", async () => {
    const a = await analysisOf("pg.isa");
    const s = await runSession(a, example(a, "pg/examples/supervisor.s"), { mode: "trap", vms: 1, nested: 1, maxSteps: MAX });
    expect(s.bare.status).toBe("halted");
    const g = s.guests[0]!;
    expect(g.differences).toEqual([]);
    expect(g.vm.halted).toBe(true);
    expect(g.vm.virtual.output).toEqual([55n, 8n]);
    // Only privileged instructions reach the VMM's routines; everything else ran on the machine.
    expect([...g.vm.stats.routines.keys()].sort()).toEqual(["HLT", "LPSW", "OUT", "STT"]);
    expect(g.vm.stats.interpreted).toBe(0);
    // Every guest step either retired directly, was emulated, or was a trap reflected to the guest.
    const reflected = [...g.vm.stats.reflected.values()].reduce((x, y) => x + y, 0);
    expect(g.vm.stats.direct + g.vm.stats.emulated + reflected).toBe(g.vm.steps);
    expect(directRatio(g.vm.stats)).toBeGreaterThan(0.95);
    expect(Object.fromEntries(g.vm.stats.reflected)).toEqual({ svc: 2, timer: 8 });
  });
});

describe("pg-flawed: a problem instruction", () => {
  test("trap-and-emulate misses RETU: the guest's state differs", async () => {
    const a = await analysisOf("pg-flawed.isa");
    const s = await runSession(a, example(a, "pg/examples/retu.s"), { mode: "trap", vms: 1, nested: 1, maxSteps: MAX });
    expect(s.bare.state.output).toEqual([7n, 1n]);
    expect(s.guests[0]!.differences.length).toBeGreaterThan(0);
    expect(s.guests[0]!.vm.virtual.output).not.toEqual([7n, 1n]);
  });

  test.each(["patch", "hvm"] as const)("%s mode runs it as the bare machine does", async (mode) => {
    const a = await analysisOf("pg-flawed.isa");
    for (const program of ["pg/examples/retu.s", "pg/examples/supervisor.s"]) {
      const s = await runSession(a, example(a, program), { mode, vms: 1, nested: 1, maxSteps: MAX });
      expect(s.guests[0]!.differences, program).toEqual([]);
    }
  });

  test("patching: RETU is found by the analyzer, replaced before it runs and interpreted", async () => {
    const a = await analysisOf("pg-flawed.isa");
    const s = await runSession(a, example(a, "pg/examples/retu.s"), { mode: "patch", vms: 1, nested: 1, maxSteps: MAX });
    expect([...s.vmm.problems]).toEqual(["RETU"]);
    const st = s.guests[0]!.vm.stats;
    expect(st.patched).toBe(1);
    expect(st.routines.get("RETU")).toBe(1);
    expect(st.traps.get("illegal")).toBe(1);
  });

  test("hybrid: the supervisor is interpreted, the user program runs directly", async () => {
    const a = await analysisOf("pg-flawed.isa");
    const s = await runSession(a, example(a, "pg/examples/supervisor.s"), { mode: "hvm", vms: 1, nested: 1, maxSteps: MAX });
    const st = s.guests[0]!.vm.stats;
    expect(st.interpreted).toBeGreaterThan(0);
    expect(st.direct).toBeGreaterThan(0);
    expect(st.emulated).toBe(0);
  });

  test("the patch is invisible to loads, and a store over patched code drops the block", async () => {
    const a = await analysisOf("pg-flawed.isa");
    const s = await runSession(a, example(a, "pg/examples/selfmod.s"), { mode: "patch", vms: 1, nested: 1, maxSteps: MAX });
    const g = s.guests[0]!;
    expect(g.differences).toEqual([]);
    expect(g.vm.virtual.output[0]).toBe(s.bare.state.output[0]); // the RETU word, not the trapping form
    expect(g.vm.virtual.output[1]).toBe(1n); // the ADDI that replaced it ran
    expect(g.vm.stats.invalidated).toBeGreaterThan(0);
  });
});

describe("several VMs, and VMMs under VMMs", () => {
  test("three VMs each end as the bare machine", async () => {
    const a = await analysisOf("pg.isa");
    const s = await runSession(a, example(a, "pg/examples/supervisor.s"), { mode: "trap", vms: 3, nested: 1, maxSteps: MAX, quantum: 37 });
    expect(s.guests.map((g) => g.differences)).toEqual([[], [], []]);
    expect(new Set(s.guests.map((g) => g.vm.memory)).size).toBe(3);
  });

  test("isolation: a VM's stores never reach another VM's memory", async () => {
    const a = await analysisOf("pg.isa");
    const vmm = await loadVmm(generateVmm(a));
    const h = new Hypervisor(a.isa, vmm, new RealHost(a.isa), { mode: "trap", quantum: 5 });
    const writer = example(a, "pg/examples/supervisor.s");
    const vms = [0, 1].map(() => h.createVm((m) => {
      for (const seg of writer.segments) seg.units.forEach((u, i) => u && m.set(seg.address + BigInt(i), u));
    }));
    vms[0]!.virtual.pc = writer.entry!;
    vms[1]!.virtual.pc = writer.entry!;
    // The second VM's memory gets a marker nothing in the program touches.
    vms[1]!.memory.set(1000n, 0x1234n);
    h.run(MAX);
    expect(vms[0]!.memory.get(1000n)).toBeUndefined();
    expect(vms[1]!.memory.get(1000n)).toBe(0x1234n);
    expect(compareStates(a.isa, vms[0]!.virtual, vms[1]!.virtual, vms[1]!.memory, true, true)).toEqual(["memory 0x3e8: bare 0x0, VM 0x1234"]);
  });

  test.each([2, 3])("a guest two or more levels deep (%i VMMs) ends as on the bare machine", async (levels) => {
    const a = await analysisOf("pg.isa");
    const s = await runSession(a, example(a, "pg/examples/supervisor.s"), { mode: "trap", vms: 1, nested: levels, maxSteps: MAX });
    expect(s.levels.length).toBe(levels);
    expect(s.guests[0]!.differences).toEqual([]);
    // Every trap of the guest passed up through each outer VMM.
    for (const h of s.levels.slice(1)) expect([...h.host.passedThrough.values()].reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
  });
});
