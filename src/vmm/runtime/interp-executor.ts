/**
 * Direct execution on the reference interpreter (src/machine), through the host (popek's machine, or
 * an outer VMM's VM when nested). The patcher scans each basic block before it first runs and lays
 * the trapping forms of its problem instructions over the fetched code (a fetch overlay).
 */
import type * as IR from "../../ir/ir.js";
import { TrapSignal } from "../../machine/interpreter.js";
import type { Machine, TrapEvent } from "../../machine/machine.js";
import type { MachineState } from "../../machine/state.js";
import type { DirectExecutor, DirectRun } from "./executor.js";
import type { Host } from "./host.js";
import { Patcher } from "./patcher.js";
import { count } from "./stats.js";
import type { VirtualMachine } from "./vm.js";

export class InterpreterExecutor implements DirectExecutor {
  readonly kind = "interp" as const;
  readonly memory: Map<bigint, bigint>;
  readonly patches: Patcher | null;
  private machine: Machine | null = null;

  constructor(
    private readonly vm: VirtualMachine,
    private readonly host: Host,
    /** The patcher's trapping word (patch mode), or null. */
    trapWord: bigint | null,
  ) {
    this.memory = host.memoryFor(vm.id);
    const memory = this.memory;
    this.patches = trapWord === null ? null : new Patcher(vm.isa, vm.vmm.problems, trapWord, (pa) => memory.get(pa) ?? 0n, vm.stats);
  }

  run(real: MachineState, budget: number): DirectRun {
    const machine = (this.machine ??= this.realMachine(real));
    const vm = this.vm;
    const patcher = this.patches;
    const fetch = (va: bigint) => vm.translateFetch(va);
    const problems = vm.vmm.problems;
    // The guest's translation reads its tables as the running instruction found them.
    vm.state.journal = real;
    patcher?.ensure(real.pc, fetch);
    let trap: TrapEvent | null = null;
    let halted = false;
    let retired = 0;
    let steps = 0;
    try {
      while (steps < budget) {
        const r = machine.step(() => "stop");
        steps++;
        if (r.kind === "retired") {
          retired++;
          if (!patcher && problems.has(r.decoded.instruction.name)) count(vm.stats.unpatched, r.decoded.instruction.name);
          patcher?.ensure(real.pc, fetch);
          continue;
        }
        if (r.kind === "trap") trap = r.trap;
        else if (r.kind === "halted") halted = true;
        else throw new Error(`VM ${vm.id}: ${r.message}`);
        break;
      }
    } finally {
      vm.state.journal = null;
    }
    return { retired, steps, trap, halted };
  }

  /** The machine the VM runs on: the VMM's translation, the guest's time, the patcher's view of code. */
  private realMachine(real: MachineState): Machine {
    const { vm } = this;
    const { vmm } = vm;
    const isa: IR.Isa = vm.isa;
    const asSignal = (e: unknown): unknown => (e instanceof vmm.contract.Trap ? new TrapSignal(isa.causes[e.cause]!, e.info) : e);
    const patcher = this.patches;
    const machine = this.host.machine(real, {
      translate: (va, access) => {
        try {
          return vmm.translate(vm.state, { nextPc: va, pcWritten: false }, va, access);
        } catch (e) {
          throw asSignal(e);
        }
      },
      fetchOverlay: patcher ? (pa) => patcher.overlay.get(pa) : undefined,
      onAccess: patcher ? (kind, _va, pa, units) => {
        if (kind === "write") patcher.written(pa, units);
      } : undefined,
    });
    const tick = vmm.tick;
    if (tick) {
      // The guest's time advances on its virtual state; the real registers mirror it for the
      // instructions that read time directly.
      machine.tickOverride = () => {
        try {
          tick(vm.state, { nextPc: real.pc, pcWritten: false });
        } catch (e) {
          throw asSignal(e);
        } finally {
          for (const id of vmm.timing) real.regs[id] = [...vm.virtual.regs[id]!];
        }
      };
    }
    return machine;
  }
}
