/**
 * Runs a guest case on the bare machine and under a generated VMM. Both runs start from the same
 * memory image (program, trapping word after it, data area) and the same registers, and end at the
 * same place: the bare machine runs until it halts, delivers its first trap to the guest's own
 * trap mechanism, or reaches the step limit; the VM then gets exactly as many guest steps (the
 * hypervisor counts every guest instruction, whether it ran directly, was emulated, interpreted or
 * trapped). Which trap the guest ended in is part of what is compared.
 */
import type * as IR from "../ir/ir.js";
import { Machine } from "../machine/machine.js";
import { MachineState } from "../machine/state.js";
import { layOutSlots, type Laid } from "../programs/layout.js";
import type { VmmModule } from "../vmm/load.js";
import { RealHost, type Host } from "../vmm/runtime/host.js";
import { Hypervisor, type VmmMode } from "../vmm/runtime/hypervisor.js";
import type { ExecutorKind } from "../vmm/runtime/executor.js";
import type { VirtualMachine } from "../vmm/runtime/vm.js";
import type { GuestCase } from "./arbitrary.js";
import { loadRegisters } from "./guest-state.js";
import type { GuestLayout } from "./layout.js";

/** How a run ended. */
export type Ending =
  | { readonly kind: "halted" }
  | { readonly kind: "trap"; readonly causes: readonly string[] }
  | { readonly kind: "limit" }
  | { readonly kind: "error"; readonly message: string };

export function formatEnding(e: Ending): string {
  switch (e.kind) {
    case "halted": return "halted";
    case "trap": return `trap ${e.causes.join(", then ")}`;
    case "limit": return "no trap (step limit)";
    case "error": return `error: ${e.message}`;
  }
}

export function sameEnding(a: Ending, b: Ending): boolean {
  return formatEnding(a) === formatEnding(b);
}

/** What a generated VMM is run as. */
export interface VmmTarget {
  readonly isa: IR.Isa;
  readonly vmm: VmmModule;
  readonly mode: VmmMode;
  /**
   * What runs the guest's innocuous instructions directly (default: the hypervisor's, the engine).
   * Both are part of the VMM under test; the interpreter is the quicker one for short programs,
   * where compiling each block costs more than running it once.
   */
  readonly executor?: ExecutorKind;
}

/** A case's memory image: code, the trapping word after it, the data area. Null when it cannot be laid out. */
export function imageOf(isa: IR.Isa, layout: GuestLayout, c: GuestCase): { laid: Laid & { ok: true }; units: Map<bigint, bigint> } | null {
  const laid = layOutSlots(isa, layout.code, c.slots);
  if (!laid.ok) return null;
  const units = new Map<bigint, bigint>();
  const put = (a: bigint, u: bigint) => (u === 0n ? units.delete(a) : units.set(a, u));
  laid.code.forEach((u, k) => put(layout.code + BigInt(k), u));
  const end = laid.addresses[laid.addresses.length - 1]!;
  layout.terminator.forEach((u, k) => put(end + BigInt(k), u));
  c.data.forEach((u, k) => put(layout.data + BigInt(k), u));
  return { laid, units };
}

export interface BareRun {
  readonly state: MachineState;
  readonly steps: number;
  readonly ending: Ending;
  /** Where the instruction it ended at began (null when it ran to the step limit), and the one before it. */
  readonly endPc: bigint | null;
  readonly previousPc: bigint | null;
}

/** Runs a case on the bare machine for at most `maxSteps` (by default the layout's step limit). */
export function runBare(isa: IR.Isa, layout: GuestLayout, c: GuestCase, image: Map<bigint, bigint>, maxSteps = layout.maxSteps): BareRun {
  const state = new MachineState(isa, new Map(image));
  loadRegisters(state, c.regs);
  state.pc = layout.code;
  const machine = new Machine(isa, state);
  let steps = 0;
  let previousPc: bigint | null = null;
  while (steps < maxSteps) {
    const endPc = state.pc;
    const r = machine.step();
    steps++;
    if (r.kind === "halted") return { state, steps, ending: { kind: "halted" }, endPc, previousPc };
    if (r.kind === "trap") return { state, steps, ending: { kind: "trap", causes: [r.trap.cause.name] }, endPc, previousPc };
    if (r.kind === "error") return { state, steps, ending: { kind: "error", message: r.message }, endPc, previousPc };
    previousPc = endPc;
  }
  return { state, steps, ending: { kind: "limit" }, endPc: null, previousPc };
}

export interface GuestRun {
  readonly vm: VirtualMachine;
  readonly ending: Ending;
}

/** Puts a case into a new VM of a hypervisor: memory image, registers, PC at the program. */
export function createGuest(h: Hypervisor, layout: GuestLayout, c: GuestCase, image: ReadonlyMap<bigint, bigint>): VirtualMachine {
  const vm = h.createVm((memory) => {
    for (const [a, u] of image) memory.set(a, u);
  });
  loadRegisters(vm.virtual, c.regs);
  vm.virtual.pc = layout.code;
  return vm;
}

/** How a VM's run ended, from what the hypervisor recorded (traps reflected to the guest, by cause). */
export function guestEnding(vm: VirtualMachine, error: string | null, limitReached: boolean): Ending {
  if (error !== null) return { kind: "error", message: error };
  if (vm.halted) return { kind: "halted" };
  const causes = [...vm.stats.reflected].flatMap(([name, n]) => Array<string>(n).fill(name));
  if (causes.length) return { kind: "trap", causes };
  return limitReached ? { kind: "limit" } : { kind: "error", message: "stopped early" };
}

/** Runs a case alone in a VM for `steps` guest steps. */
export function runGuest(target: VmmTarget, layout: GuestLayout, c: GuestCase, image: ReadonlyMap<bigint, bigint>, steps: number, host: Host = new RealHost(target.isa)): GuestRun {
  const h = new Hypervisor(target.isa, target.vmm, host, { mode: target.mode, executor: target.executor });
  const vm = createGuest(h, layout, c, image);
  let error: string | null = null;
  try {
    h.run(steps);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  return { vm, ending: guestEnding(vm, error, vm.steps >= steps) };
}
