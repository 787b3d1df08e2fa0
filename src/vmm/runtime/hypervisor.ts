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
import type { TrapEvent } from "../../machine/machine.js";
import type * as Contract from "../contract.js";
import type { VmmModule } from "../load.js";
import type { Host } from "./host.js";
import { EngineExecutor } from "./engine-executor.js";
import type { DirectExecutor, DirectRun, ExecutorKind } from "./executor.js";
import { InterpreterExecutor } from "./interp-executor.js";
import { undefinedWord } from "./patcher.js";
import { count } from "./stats.js";
import { VirtualMachine } from "./vm.js";

export type VmmMode = "trap" | "patch" | "hvm";

export interface HypervisorOptions {
  readonly mode: VmmMode;
  /** Guest steps a VM runs before the next VM gets the machine. */
  readonly quantum?: number;
  /** What runs guest code directly (default: the engine; nested VMMs use the interpreter). */
  readonly executor?: ExecutorKind;
  /**
   * How the engine runs the guest's translate and tick: compiled into its blocks where the spec
   * allows (the default; see direct-isa.ts), or always by calling the VMM's ("hooks": the fallback,
   * which the tests run too).
   */
  readonly translation?: "compiled" | "hooks";
}

export class Hypervisor {
  readonly vms: VirtualMachine[] = [];
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
    const vm = new VirtualMachine(id, this.isa, this.vmm, (v) => this.executorFor(v));
    load(vm.memory);
    this.vms.push(vm);
    return vm;
  }

  /**
   * The engine runs guests on a host that lets each VM keep its memory in the engine's own store (the
   * real machine); elsewhere — a VMM nested in another one, a host that lays every VM's memory out in
   * one shared store — guests run through the interpreter over the host's memory, as they do with
   * `executor: "interp"`.
   */
  private executorFor(vm: VirtualMachine): DirectExecutor {
    const patch = this.options.mode === "patch";
    if ((this.options.executor ?? "engine") === "engine" && this.host.privateMemory) return new EngineExecutor(vm, patch, { hooks: this.options.translation === "hooks" });
    return new InterpreterExecutor(vm, this.host, patch ? this.trapWord : null);
  }

  /** Runs every VM round-robin until each halts or has taken maxSteps guest steps. */
  run(maxSteps: number): void {
    const quantum = this.options.quantum ?? 10_000;
    let live = this.vms.filter((vm) => !vm.halted && vm.steps < maxSteps);
    while (live.length > 0) {
      // A VM alone on the machine runs to the end: a quantum only shares the machine, and ending
      // a stretch of direct execution early costs (the engine finishes it with one-instruction blocks).
      const share = live.length > 1 ? quantum : Infinity;
      for (const vm of live) this.turn(vm, Math.min(share, maxSteps - vm.steps));
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
    this.allocator.install(vm.state, vm.realView);
    let r: DirectRun;
    try {
      r = vm.executor.run(vm.real, budget);
    } finally {
      this.allocator.collect(vm.realView, vm.state);
    }
    vm.steps += r.steps;
    vm.stats.direct += r.retired;
    // Output the guest produced running directly is its own.
    if (vm.real.output.length) vm.virtual.output.push(...vm.real.output.splice(0));
    if (r.halted) vm.halted = true;
    if (!r.trap) return;
    count(vm.stats.traps, r.trap.cause.name);
    const outcome = this.vmm.dispatch(vm, toContract(r.trap));
    if (outcome === "halted") vm.halted = true;
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
