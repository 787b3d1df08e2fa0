/**
 * Runs VMs under a generated VMM, the way Popek and Goldberg's control program does: each guest runs
 * directly on the machine, deprivileged to the configuration's guest level, with the allocator's
 * translation (the guest's own, on its virtual control state, into its private memory) and its own
 * time; every trap enters the generated dispatcher, which interprets privileged instructions on the
 * virtual state or reflects the trap to the guest's own trap mechanism.
 *
 * Modes: `trap` is plain trap-and-emulate; `patch` also lets the patcher replace problem
 * instructions before they run (where Theorem 1 fails); `hvm` is Popek and Goldberg's hybrid VMM,
 * which interprets every instruction the guest executes in virtual supervisor mode and runs virtual
 * user mode directly (Theorem 3). Several VMs share the machine round-robin, each with its own memory.
 */
import * as IR from "../../ir/ir.js";
import { TrapSignal } from "../../machine/interpreter.js";
import type { Machine, TrapEvent } from "../../machine/machine.js";
import type * as Contract from "../contract.js";
import type { VmmModule } from "../load.js";
import type { Host } from "./host.js";
import { Patcher, undefinedWord } from "./patcher.js";
import { count } from "./stats.js";
import { VirtualMachine } from "./vm.js";

export type VmmMode = "trap" | "patch" | "hvm";

export interface HypervisorOptions {
  readonly mode: VmmMode;
  /** Guest steps a VM runs before the next VM gets the machine. */
  readonly quantum?: number;
}

export class Hypervisor {
  readonly vms: VirtualMachine[] = [];
  private readonly machines = new Map<VirtualMachine, Machine>();
  private readonly allocator: InstanceType<VmmModule["Allocator"]>;
  private readonly trapWord: bigint | null;

  constructor(
    readonly isa: IR.Isa,
    readonly vmm: VmmModule,
    readonly host: Host,
    readonly options: HypervisorOptions,
  ) {
    this.allocator = new vmm.Allocator();
    this.trapWord = options.mode === "patch" ? undefinedWord(isa) : null;
    if (options.mode === "patch" && this.trapWord === null) {
      throw new Error(`patch mode needs a word that no encoding of ${isa.name} begins with, and there is none`);
    }
  }

  /** A new VM at the machine's reset state, with its own memory; `load` fills the memory. */
  createVm(load: (memory: Map<bigint, bigint>) => void): VirtualMachine {
    const id = this.vms.length;
    let patcher: Patcher | null = null;
    const vm = new VirtualMachine(id, this.isa, this.vmm, this.host.memoryFor(id), (pa, n) => patcher?.written(pa, n));
    load(vm.memory);
    if (this.options.mode === "patch") {
      patcher = new Patcher(this.isa, this.vmm.problems, this.trapWord!, (pa) => vm.memory.get(pa) ?? 0n, vm.stats);
      vm.patcher = patcher;
    }
    this.machines.set(vm, this.realMachine(vm));
    this.vms.push(vm);
    return vm;
  }

  /** Runs every VM round-robin until each halts or has taken maxSteps guest steps. */
  run(maxSteps: number): void {
    const quantum = this.options.quantum ?? 10_000;
    let live = this.vms.filter((vm) => !vm.halted && vm.steps < maxSteps);
    while (live.length > 0) {
      for (const vm of live) this.turn(vm, Math.min(quantum, maxSteps - vm.steps));
      live = live.filter((vm) => !vm.halted && vm.steps < maxSteps);
    }
  }

  /** One VM's turn on the machine: up to `budget` guest steps. */
  private turn(vm: VirtualMachine, budget: number): void {
    const end = vm.steps + budget;
    while (!vm.halted && vm.steps < end) {
      if (this.options.mode === "hvm" && this.vmm.level(vm.state) < this.vmm.GUEST_LEVEL) this.interpret(vm);
      else this.direct(vm, end - vm.steps);
    }
  }

  /** Hybrid VMM: one instruction of virtual supervisor mode, interpreted on the virtual state. */
  private interpret(vm: VirtualMachine): void {
    const r = vm.interpreter.step();
    vm.steps++;
    if (r.kind === "retired") vm.stats.interpreted++;
    else if (r.kind === "trap") count(vm.stats.reflected, r.trap.cause.name);
    else if (r.kind === "halted") vm.halted = true;
    else throw new Error(`VM ${vm.id}: ${r.message}`);
  }

  /** Runs the guest directly until it traps (or the budget ends), then dispatches the trap. */
  private direct(vm: VirtualMachine, budget: number): void {
    const machine = this.machines.get(vm)!;
    const hvm = this.options.mode === "hvm";
    this.allocator.install(vm.state, vm.realView);
    vm.state.journal = vm.real;
    vm.patcher?.ensure(vm.real.pc, (va) => vm.translateFetch(va));
    let trap: TrapEvent | null = null;
    let halted = false;
    try {
      for (let n = 0; n < budget; n++) {
        const r = machine.step(() => "stop");
        vm.steps++;
        if (r.kind === "retired") {
          vm.stats.direct++;
          vm.patcher?.ensure(vm.real.pc, (va) => vm.translateFetch(va));
          continue;
        }
        if (r.kind === "trap") trap = r.trap;
        else if (r.kind === "halted") halted = true;
        else throw new Error(`VM ${vm.id}: ${r.message}`);
        break;
      }
    } finally {
      vm.state.journal = null;
      this.allocator.collect(vm.realView, vm.state);
    }
    if (halted) vm.halted = true;
    if (!trap) return;
    count(vm.stats.traps, trap.cause.name);
    const outcome = this.vmm.dispatch(vm, toContract(trap));
    if (outcome === "halted") vm.halted = true;
    void hvm;
  }

  /** The real machine a VM runs on: the allocator's translation, its time, and the patcher's view of code. */
  private realMachine(vm: VirtualMachine): Machine {
    const { vmm, isa } = this;
    const asSignal = (e: unknown): unknown => (e instanceof vmm.contract.Trap ? new TrapSignal(isa.causes[e.cause]!, e.info) : e);
    const machine = this.host.machine(vm.real, {
      translate: (va, access) => {
        try {
          return vmm.translate(vm.state, { nextPc: va, pcWritten: false }, va, access);
        } catch (e) {
          throw asSignal(e);
        }
      },
      fetchOverlay: vm.patcher ? (pa) => vm.patcher!.overlay.get(pa) : undefined,
      onAccess: vm.patcher ? (kind, _va, pa, units) => {
        if (kind === "write") vm.patcher!.written(pa, units);
      } : undefined,
    });
    const tick = vmm.tick;
    if (tick) {
      // The guest's time advances on its virtual state; the real registers mirror it for the
      // instructions that read time directly.
      machine.tickOverride = () => {
        try {
          tick(vm.state, { nextPc: vm.real.pc, pcWritten: false });
        } catch (e) {
          throw asSignal(e);
        } finally {
          for (const id of vmm.timing) vm.real.regs[id] = [...vm.virtual.regs[id]!];
        }
      };
    }
    return machine;
  }
}

function toContract(t: TrapEvent): Contract.TrapEvent {
  return {
    cause: t.cause.id,
    info: t.info,
    pc: t.pc,
    nextPc: t.nextPc,
    instruction: t.instruction?.name ?? null,
    operands: t.operands ?? new Map(),
    fromTick: t.fromTick,
  };
}
