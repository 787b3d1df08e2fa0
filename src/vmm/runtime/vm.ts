/**
 * One virtual machine: its virtual state (every register, with its virtual mode and control state,
 * and its private guest-physical memory from the allocator), the real machine state it runs on when
 * it runs directly (sharing that memory), what runs it directly (and patches it), and its statistics. It is also what the
 * generated dispatcher sees of a VM (GeneratedVm).
 */
import * as IR from "../../ir/ir.js";
import { Machine } from "../../machine/machine.js";
import { MachineState } from "../../machine/state.js";
import type * as Contract from "../contract.js";
import type { GeneratedVm, VmmModule } from "../load.js";
import type { DirectExecutor } from "./executor.js";
import { StateView } from "./state-view.js";
import { count, emptyStats, type VmStats } from "./stats.js";

export class VirtualMachine implements GeneratedVm {
  /** The guest's virtual machine state. */
  readonly virtual: MachineState;
  readonly state: StateView;
  /** The real machine's state while this VM runs directly: the same memory, deprivileged registers. */
  readonly real: MachineState;
  readonly realView: StateView;
  readonly stats: VmStats = emptyStats();
  /** What runs the guest directly (interpreter or engine); it owns the VM's memory and patches. */
  readonly executor: DirectExecutor;
  /** The VM's private guest-physical memory (the allocator's region, held by the executor). */
  readonly memory: Map<bigint, bigint>;
  halted = false;
  /** Guest steps taken (directly, emulated or interpreted), for step limits. */
  steps = 0;
  /** Interprets the guest on its virtual state (hybrid VMM, virtual supervisor mode). */
  readonly interpreter: Machine;

  constructor(
    readonly id: number,
    readonly isa: IR.Isa,
    readonly vmm: VmmModule,
    makeExecutor: (vm: VirtualMachine) => DirectExecutor,
  ) {
    this.executor = makeExecutor(this);
    this.memory = this.executor.memory;
    this.virtual = new MachineState(isa, this.memory);
    this.state = new StateView(this.virtual);
    this.real = new MachineState(isa, this.memory);
    this.realView = new StateView(this.real);
    const original = this.virtual.writeUnit.bind(this.virtual);
    this.virtual.writeUnit = (a, v) => {
      original(a, v);
      // The VMM wrote guest memory (a routine, a reflected trap): patched code there is stale.
      this.executor.patches?.written(a, 1);
    };
    this.interpreter = new Machine(isa, this.virtual);
  }

  // ------------------------------------------------------------ GeneratedVm

  patchedAt(pc: bigint): { readonly instruction: string; readonly operands: Contract.Operands; readonly nextPc: bigint } | undefined {
    const patches = this.executor.patches;
    if (!patches) return undefined;
    const pa = this.translateFetch(pc);
    if (pa === null) return undefined;
    const p = patches.patchAt(pa);
    return p && { instruction: p.instruction, operands: p.operands, nextPc: BigInt.asUintN(this.isa.vaddrWidth, pc + BigInt(p.units)) };
  }

  note(event: "emulated" | "reflected", detail: string): void {
    if (event === "emulated") {
      this.stats.emulated++;
      count(this.stats.routines, detail);
    } else {
      count(this.stats.reflected, detail);
    }
  }

  // ------------------------------------------------------------ translation

  /** Where the guest's own translation puts a fetch from va (its virtual control state), or null if it would trap. */
  translateFetch(va: bigint): bigint | null {
    try {
      return this.vmm.translate(this.state, { nextPc: va, pcWritten: false }, va, IR.ACCESS.FETCH);
    } catch (e) {
      if (e instanceof this.vmm.contract.Trap) return null;
      throw e;
    }
  }
}
