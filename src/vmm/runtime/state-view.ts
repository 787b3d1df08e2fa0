/**
 * A machine state as the generated VMM's contract sees it (contract.ts State): registers, memory,
 * output and the undo log of a MachineState, plus the translation bracket that makes table reads
 * see memory as the running instruction found it.
 */
import type { MachineState } from "../../machine/state.js";
import type * as Contract from "../contract.js";

export class StateView implements Contract.State {
  private translating = 0;
  /**
   * The state whose current instruction's journal holds the at-start values. While a VM runs
   * directly that is the real machine's state, which shares the VM's memory.
   */
  journal: MachineState | null = null;

  constructor(readonly machineState: MachineState) {}

  reg(element: number, index: number): bigint {
    return this.machineState.reg(element, index);
  }
  setReg(element: number, index: number, value: bigint): void {
    this.machineState.setReg(element, index, value);
  }
  /** Told of every memory unit the guest's translation reads (a translation cache watches them). */
  onTableRead: ((address: bigint) => void) | null = null;

  readUnit(address: bigint): bigint {
    if (this.translating > 0) this.onTableRead?.(address);
    return this.translating > 0 ? (this.journal ?? this.machineState).readUnitAtStart(address) : this.machineState.readUnit(address);
  }
  writeUnit(address: bigint, value: bigint): void {
    this.machineState.writeUnit(address, value);
  }
  emit(value: bigint): void {
    this.machineState.emit(value);
  }
  enterTranslation(): void {
    this.translating++;
  }
  leaveTranslation(): void {
    this.translating--;
  }
  begin(): void {
    this.machineState.begin();
  }
  commit(): void {
    this.machineState.commit();
  }
  rollback(): void {
    this.machineState.rollback();
  }
}
