/**
 * The contract between a generated VMM and the machine it runs on. A generated VMM is plain logic
 * over these types: it reads and writes a VM's virtual state through `State`, and the host that
 * runs guests (popek's machine, or another VMM when nested) implements the rest.
 *
 * This module imports nothing: `popek vmm generate` copies it next to every generated VMM.
 */

/** A VM's virtual machine state as the VMM sees it: registers and guest-physical memory. */
export interface State {
  reg(element: number, index: number): bigint;
  setReg(element: number, index: number, value: bigint): void;
  readUnit(address: bigint): bigint;
  writeUnit(address: bigint, value: bigint): void;
  /** Output the guest's I/O produced (a console). */
  emit(value: bigint): void;
  /**
   * Brackets the guest's translate: inside it, readUnit returns memory as the current instruction
   * found it (a TLB holds each translation for the whole instruction, as on the machine).
   */
  enterTranslation(): void;
  leaveTranslation(): void;
  /** Undo log, so a routine that traps leaves no trace (precise traps). */
  begin(): void;
  commit(): void;
  rollback(): void;
}

/** Per-instruction context of compiled semantics. */
export interface Ctx {
  /** Address of the next instruction (`next_pc`). */
  readonly nextPc: bigint;
  /** Set when the semantics wrote the program counter. */
  pcWritten: boolean;
}

/** Raised by compiled semantics: the guest traps with this cause id and information. */
export class Trap {
  constructor(
    readonly cause: number,
    readonly info: bigint,
  ) {}
}

/** Raised by compiled semantics: the guest halts its machine. */
export class Halt {}

/** A trap the guest took while running directly on the host. */
export interface TrapEvent {
  readonly cause: number;
  readonly info: bigint;
  /** Address of the instruction that trapped (or of the next one, for time). */
  readonly pc: bigint;
  readonly nextPc: bigint;
  /** The decoded instruction's name and operands, when it was decoded. */
  readonly instruction: string | null;
  readonly operands: ReadonlyMap<string, bigint>;
  /** Raised by the guest's time (tick), not by an instruction. */
  readonly fromTick: boolean;
}

/** Operand values of a decoded instruction, by field name. */
export type Operands = ReadonlyMap<string, bigint>;

/** An interpreter routine: an instruction's semantics on the virtual state. */
export type Routine = (s: State, ctx: Ctx, op: Operands) => void;
