/**
 * Concrete machine state: every register, sparse physical memory, and the output log. Writes can be
 * journaled so that a trapping instruction leaves no trace (precise traps): the interpreter opens a
 * journal before an instruction and rolls it back if the instruction traps.
 */
import type * as IR from "../ir/ir.js";

type Undo = () => void;

export class MachineState {
  /** regs[element][index]; single registers have one entry. */
  readonly regs: bigint[][];
  /** Physical memory, one unit per address; absent addresses hold zero. */
  readonly memory: Map<bigint, bigint>;
  readonly output: bigint[] = [];
  halted = false;
  private journal: Undo[] | null = null;
  /** Since begin(): each written unit's value before its first write. */
  private firstValues: Map<bigint, bigint> | null = null;

  /**
   * A machine at reset; `memory` shares an existing memory map (a VM's real and virtual views);
   * `regs`, registers to take as they are (clone's copies).
   */
  constructor(readonly isa: IR.Isa, memory?: Map<bigint, bigint>, regs?: bigint[][]) {
    this.regs = regs ?? isa.state.map((e) => new Array<bigint>(e.count ?? 1).fill(e.reset));
    this.memory = memory ?? new Map();
  }

  /** A deep copy (without journal). */
  clone(): MachineState {
    const c = new MachineState(this.isa, new Map(this.memory), this.regs.map((r) => r.slice()));
    c.output.push(...this.output);
    c.halted = this.halted;
    return c;
  }

  get pc(): bigint {
    return this.regs[this.isa.pc]![0]!;
  }

  set pc(v: bigint) {
    this.setReg(this.isa.pc, 0, v);
  }

  reg(element: number, index = 0): bigint {
    return this.regs[element]![index]!;
  }

  setReg(element: number, index: number, value: bigint): void {
    const file = this.regs[element]!;
    if (this.journal) {
      const old = file[index]!;
      this.journal.push(() => (file[index] = old));
    }
    file[index] = value;
  }

  readUnit(addr: bigint): bigint {
    return this.memory.get(addr) ?? 0n;
  }

  /**
   * A unit's value when the current instruction began (since begin()). Translation reads its tables
   * this way: as if a TLB held every translation for the whole instruction, so an instruction that
   * stores into a table does not change how its own later references are translated.
   */
  readUnitAtStart(addr: bigint): bigint {
    return this.firstValues?.get(addr) ?? this.readUnit(addr);
  }

  writeUnit(addr: bigint, value: bigint): void {
    if (this.firstValues && !this.firstValues.has(addr)) this.firstValues.set(addr, this.readUnit(addr));
    if (this.journal) {
      const had = this.memory.has(addr);
      const old = this.memory.get(addr);
      this.journal.push(() => (had ? this.memory.set(addr, old!) : this.memory.delete(addr)));
    }
    if (value === 0n) this.memory.delete(addr);
    else this.memory.set(addr, value);
  }

  emit(value: bigint): void {
    if (this.journal) this.journal.push(() => this.output.pop());
    this.output.push(value);
  }

  /** Starts recording writes so they can be undone. */
  begin(): void {
    this.journal = [];
    this.firstValues = new Map();
  }

  /** Keeps the writes since begin(). */
  commit(): void {
    this.journal = null;
    this.firstValues = null;
  }

  /** Undoes every write since begin(). */
  rollback(): void {
    const j = this.journal ?? [];
    this.journal = null;
    this.firstValues = null;
    for (let i = j.length - 1; i >= 0; i--) j[i]!();
  }
}
