/**
 * What a VMM runs its VMs on. Popek and Goldberg's recursion argument is that a VMM presents the same
 * interface as the machine; here that interface is a Host: private memory for each VM, and a machine
 * that runs a state deprivileged with the VMM's translation until it traps. The real host is popek's
 * machine. A VM of an outer VMM is a host too (VmHost): the inner VMM's VMs get regions of the outer
 * VM's memory, and every trap of theirs passes through the outer VMM on its way back.
 */
import type * as IR from "../../ir/ir.js";
import type { InterpreterOptions } from "../../machine/interpreter.js";
import { Machine } from "../../machine/machine.js";
import type { MachineState } from "../../machine/state.js";

export interface Host {
  readonly isa: IR.Isa;
  /** How many VMMs lie between this host and the real machine (0: the real machine). */
  readonly depth: number;
  /**
   * Whether a VM's memory may live wherever its executor keeps it (the engine's own store), rather
   * than in memoryFor's map: true only where nothing observes the maps (the real machine).
   */
  readonly privateMemory: boolean;
  /** A VM's private memory (the allocator's region on this host). */
  memoryFor(id: number): Map<bigint, bigint>;
  /** The machine a VM runs on directly, over its real state, with the VMM's hooks. */
  machine(state: MachineState, options: InterpreterOptions): Machine;
  /** Traps that passed through this host's VMM on their way to the VMM above, by cause. */
  readonly passedThrough: Map<string, number>;
}

/** popek's machine. */
export class RealHost implements Host {
  readonly depth = 0;
  readonly privateMemory = true;
  readonly passedThrough = new Map<string, number>();
  constructor(readonly isa: IR.Isa) {}
  memoryFor(): Map<bigint, bigint> {
    return new Map();
  }
  machine(state: MachineState, options: InterpreterOptions): Machine {
    return new Machine(this.isa, state, options);
  }
}

/**
 * A VM of an outer VMM as the host of an inner one. Memory for an inner VM is a region of the outer
 * VM's memory beyond anything the outer guest can address; the inner VMM's machine runs on the
 * outer host, and the outer VMM counts every trap that passes up through it.
 */
export class VmHost implements Host {
  readonly depth: number;
  readonly privateMemory = false;
  readonly passedThrough = new Map<string, number>();
  constructor(
    private readonly outer: Host,
    private readonly outerMemory: Map<bigint, bigint>,
  ) {
    this.depth = outer.depth + 1;
  }
  get isa(): IR.Isa {
    return this.outer.isa;
  }
  memoryFor(id: number): Map<bigint, bigint> {
    const size = 1n << BigInt(this.isa.memory.addrWidth);
    return new RegionMemory(this.outerMemory, BigInt(id + 1) * size, size);
  }
  machine(state: MachineState, options: InterpreterOptions): Machine {
    const m = this.outer.machine(state, options);
    const step = m.step.bind(m);
    m.step = (onTrap, o) =>
      step((t, machine) => {
        this.passedThrough.set(t.cause.name, (this.passedThrough.get(t.cause.name) ?? 0) + 1);
        return onTrap ? onTrap(t, machine) : "deliver";
      }, o);
    return m;
  }
}

/** A region of another memory: unit k of the region is unit base + k of the parent. */
export class RegionMemory extends Map<bigint, bigint> {
  constructor(
    private readonly parent: Map<bigint, bigint>,
    readonly base: bigint,
    readonly extent: bigint,
  ) {
    super();
  }
  /** The parent's unit for unit k of the region, read or written (a subclass may watch accesses). */
  protected at(k: bigint, _access: "read" | "wrote"): bigint {
    return this.base + k;
  }
  override get(k: bigint): bigint | undefined {
    return this.parent.get(this.at(k, "read"));
  }
  override set(k: bigint, v: bigint): this {
    this.parent.set(this.at(k, "wrote"), v);
    return this;
  }
  override has(k: bigint): boolean {
    return this.parent.has(this.at(k, "read"));
  }
  override delete(k: bigint): boolean {
    return this.parent.delete(this.at(k, "wrote"));
  }
  private *inRegion(): IterableIterator<[bigint, bigint]> {
    for (const [k, v] of this.parent) if (k >= this.base && k - this.base < this.extent) yield [k - this.base, v];
  }
  override entries(): MapIterator<[bigint, bigint]> {
    return this.inRegion() as MapIterator<[bigint, bigint]>;
  }
  override keys(): MapIterator<bigint> {
    return (function* (it) { for (const [k] of it) yield k; })(this.inRegion()) as MapIterator<bigint>;
  }
  override [Symbol.iterator](): MapIterator<[bigint, bigint]> {
    return this.entries();
  }
}
