/**
 * One `popek vmm run`: a program run on the bare machine, and the same program run in each of N VMs
 * under the generated VMM (optionally nested K levels deep), with the final states compared as the
 * guest sees them - Popek and Goldberg's equivalence property, which allows timing alone to differ.
 */
import type { Analysis } from "../analysis/analyze.js";
import type * as IR from "../ir/ir.js";
import type { AsmResult } from "../machine/assembler.js";
import { Machine } from "../machine/machine.js";
import type { MachineState } from "../machine/state.js";
import { generateVmm } from "./generate.js";
import { loadVmm, type VmmModule } from "./load.js";
import { RealHost, VmHost, type Host } from "./runtime/host.js";
import { Hypervisor, type VmmMode } from "./runtime/hypervisor.js";
import type { ExecutorKind } from "./runtime/executor.js";
import type { VirtualMachine } from "./runtime/vm.js";

export interface SessionOptions {
  readonly mode: VmmMode;
  readonly vms: number;
  /** VMM levels between the guests and the machine (1: one VMM). */
  readonly nested: number;
  readonly maxSteps: number;
  readonly quantum?: number;
  /** What runs guest code directly (default: the engine where one VMM runs on the machine). */
  readonly executor?: ExecutorKind;
}

export interface GuestResult {
  readonly vm: VirtualMachine;
  /** Differences from the bare machine's final state, as the guest sees it; empty when equivalent. */
  readonly differences: readonly string[];
}

export interface Session {
  readonly bare: { readonly state: MachineState; readonly status: string; readonly steps: number };
  readonly guests: readonly GuestResult[];
  /** The hypervisor at each level, outermost first. */
  readonly levels: readonly Hypervisor[];
  readonly vmm: VmmModule;
}

/** Loads the program's segments into a memory and returns the entry point. */
function place(program: AsmResult, memory: Map<bigint, bigint>): void {
  for (const s of program.segments) s.units.forEach((u, i) => (u === 0n ? memory.delete(s.address + BigInt(i)) : memory.set(s.address + BigInt(i), u)));
}

export async function runSession(analysis: Analysis, program: AsmResult, options: SessionOptions): Promise<Session> {
  const { isa } = analysis;
  const vmm = await loadVmm(generateVmm(analysis));

  const bareMachine = new Machine(isa);
  place(program, bareMachine.state.memory);
  if (program.entry !== null) bareMachine.state.pc = program.entry;
  const bareRun = bareMachine.run({ maxSteps: options.maxSteps });

  // Levels of VMMs: the outermost runs on the machine; each inner one runs on a VM of the one outside it.
  let host: Host = new RealHost(isa);
  const levels: Hypervisor[] = [];
  // An outer VMM's carrier VM is a host for the one inside: its memory holds regions beyond the
  // guest's address space, which only the interpreter's sparse memory has.
  for (let level = 0; level < options.nested - 1; level++) {
    const h = new Hypervisor(isa, vmm, host, { mode: options.mode, quantum: options.quantum, executor: "interp" });
    const carrier = h.createVm(() => {});
    levels.push(h);
    host = new VmHost(host, carrier.memory);
  }
  const innermost = new Hypervisor(isa, vmm, host, { mode: options.mode, quantum: options.quantum, executor: options.executor });
  levels.push(innermost);
  for (let i = 0; i < options.vms; i++) {
    const vm = innermost.createVm((memory) => place(program, memory));
    if (program.entry !== null) vm.virtual.pc = program.entry;
  }
  innermost.run(options.maxSteps);
  const guests = innermost.vms.map((vm) => ({ vm, differences: compareStates(isa, bareMachine.state, vm.virtual, vm.memory, bareMachine.state.halted, vm.halted) }));
  return {
    bare: { state: bareMachine.state, status: bareRun.status, steps: bareRun.steps },
    guests,
    levels,
    vmm,
  };
}

/** Every register, every memory unit the bare machine holds or the VM holds, output and halting. */
export function compareStates(isa: IR.Isa, bare: MachineState, guest: MachineState, guestMemory: Map<bigint, bigint>, bareHalted: boolean, guestHalted: boolean): string[] {
  const out: string[] = [];
  for (const e of isa.state) {
    for (let i = 0; i < (e.count ?? 1); i++) {
      const a = bare.reg(e.id, i);
      const b = guest.reg(e.id, i);
      if (a !== b) out.push(`${e.name}${e.count === null ? "" : `[${i}]`}: bare 0x${a.toString(16)}, VM 0x${b.toString(16)}`);
    }
  }
  const addresses = new Set<bigint>(bare.memory.keys());
  for (const [k] of guestMemory) addresses.add(k);
  for (const a of [...addresses].sort((x, y) => (x < y ? -1 : 1))) {
    const x = bare.readUnit(a);
    const y = guest.readUnit(a);
    if (x !== y) out.push(`memory 0x${a.toString(16)}: bare 0x${x.toString(16)}, VM 0x${y.toString(16)}`);
  }
  const ob = bare.output.join(" ");
  const og = guest.output.join(" ");
  if (ob !== og) out.push(`output: bare [${ob}], VM [${og}]`);
  if (bareHalted !== guestHalted) out.push(`halted: bare ${bareHalted}, VM ${guestHalted}`);
  return out;
}
