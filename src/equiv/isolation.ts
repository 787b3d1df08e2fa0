/**
 * Popek and Goldberg's resource control, as a property over random guests: several VMs share one
 * machine whose single physical memory the host divides into regions (the VMM's own first, then
 * one per VM), and they run round-robin with a small quantum. Each VM must end exactly as the same
 * guest ends alone under the same VMM (so it observed nothing of the others), no access may leave
 * the accessing VM's region, nothing may appear outside the regions handed out, and neither the
 * VMM's region nor the VMM's own tables may change.
 */
import type * as IR from "../ir/ir.js";
import type { InterpreterOptions } from "../machine/interpreter.js";
import { Machine } from "../machine/machine.js";
import type { MachineState } from "../machine/state.js";
import { Random } from "../programs/random.js";
import { RegionMemory, type Host } from "../vmm/runtime/host.js";
import { Hypervisor } from "../vmm/runtime/hypervisor.js";
import { compareStates } from "../vmm/session.js";
import type { GuestCase } from "./arbitrary.js";
import type { GuestLayout } from "./layout.js";
import { createGuest, formatEnding, guestEnding, imageOf, runGuest, sameEnding, type VmmTarget } from "./run.js";

/** A VM's region of the one physical memory; it records any access beyond its extent. */
class Region extends RegionMemory {
  constructor(
    parent: Map<bigint, bigint>,
    base: bigint,
    extent: bigint,
    private readonly violations: string[],
    private readonly owner: string,
  ) {
    super(parent, base, extent);
  }
  protected override at(k: bigint, access: "read" | "wrote"): bigint {
    if (k < 0n || k >= this.extent) this.violations.push(`${this.owner} ${access} unit 0x${k.toString(16)}, outside its allocation of 0x${this.extent.toString(16)} units`);
    return super.at(k, access);
  }
}

/** The machine with one physical memory in regions: the VMM's at 0, VM i's at (i + 1) * extent. */
class SharedHost implements Host {
  readonly depth = 0;
  /** The shared store is what the property watches, so VMs run over it (through the interpreter). */
  readonly privateMemory = false;
  readonly passedThrough = new Map<string, number>();
  readonly memory = new Map<bigint, bigint>();
  readonly violations: string[] = [];
  readonly extent: bigint;
  constructor(readonly isa: IR.Isa) {
    this.extent = 1n << BigInt(isa.memory.addrWidth);
  }
  memoryFor(id: number): Map<bigint, bigint> {
    return new Region(this.memory, BigInt(id + 1) * this.extent, this.extent, this.violations, `VM ${id}`);
  }
  machine(state: MachineState, options: InterpreterOptions): Machine {
    return new Machine(this.isa, state, options);
  }
}

/** The VMM's tables a guest must never change. */
function vmmSnapshot(target: VmmTarget): string {
  const { vmm } = target;
  return JSON.stringify({ reg: vmm.reg, timing: vmm.timing, level: vmm.GUEST_LEVEL, undef: vmm.UNDEFINED_CAUSE, problems: [...vmm.problems], routines: [...vmm.routines.keys()] });
}

export type IsolationChecked = { readonly kind: "unusable" } | { readonly kind: "isolated" } | { readonly kind: "violated"; readonly problems: readonly string[] };

/**
 * Runs the cases side by side (quantum from `seed`) and alone; lists every breach of isolation.
 */
export function checkIsolation(target: VmmTarget, layout: GuestLayout, cases: readonly GuestCase[], seed: number): IsolationChecked {
  const { isa } = target;
  const images = cases.map((c) => imageOf(isa, layout, c));
  if (images.some((i) => i === null)) return { kind: "unusable" };
  const steps = layout.maxSteps;
  const alone = cases.map((c, i) => runGuest(target, layout, c, images[i]!.units, steps));

  const rng = new Random(seed);
  const host = new SharedHost(isa);
  // The VMM's region holds a pattern where the guests keep their code and data, where a VM whose
  // relocation went wrong would most likely write.
  const canary = new Map<bigint, bigint>();
  for (const a of images[0]!.units.keys()) canary.set(a, BigInt.asUintN(isa.memory.unitWidth, rng.bits(isa.memory.unitWidth) | 1n));
  for (const [a, v] of canary) host.memory.set(a, v);
  const before = vmmSnapshot(target);
  const h = new Hypervisor(isa, target.vmm, host, { mode: target.mode, executor: target.executor, quantum: 1 + rng.below(24) });
  const vms = cases.map((c, i) => createGuest(h, layout, c, images[i]!.units));
  let error: string | null = null;
  try {
    h.run(steps);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }

  const problems = [...new Set(host.violations)];
  for (const [a, v] of canary) if (host.memory.get(a) !== v) problems.push(`the VMM's memory at 0x${a.toString(16)} changed`);
  const last = BigInt(cases.length + 1) * host.extent;
  for (const a of host.memory.keys()) {
    if (a < host.extent && !canary.has(a)) problems.push(`a unit of the VMM's memory at 0x${a.toString(16)} was written`);
    if (a >= last) problems.push(`a unit outside every allocation at 0x${a.toString(16)} was written`);
  }
  if (vmmSnapshot(target) !== before) problems.push("the VMM's tables changed");
  vms.forEach((vm, i) => {
    const a = alone[i]!;
    const together = guestEnding(vm, error, vm.steps >= steps);
    if (!sameEnding(a.ending, together)) problems.push(`VM ${i} ended differently beside the others: alone ${formatEnding(a.ending)}, beside them ${formatEnding(together)}`);
    for (const d of compareStates(isa, a.vm.virtual, vm.virtual, vm.memory, a.vm.halted, vm.halted)) {
      problems.push(`VM ${i} differs from its run alone: ${d.replace("bare", "alone").replace("VM", "beside the others")}`);
    }
  });
  return problems.length ? { kind: "violated", problems } : { kind: "isolated" };
}
