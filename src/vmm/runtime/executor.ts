/**
 * What runs a VM's guest code directly, deprivileged: the reference interpreter (src/machine) or the
 * block-compiling engine (src/engine). Both run the real registers the allocator installed, with the
 * VMM's translation (the guest's own, on its virtual control state, into the VM's private memory)
 * and the guest's time on its virtual state, until the guest traps, halts or the budget ends; both
 * keep the patcher's problem instructions from running (they trap to the dispatcher instead).
 */
import type { TrapEvent } from "../../machine/machine.js";
import type { MachineState } from "../../machine/state.js";

export type ExecutorKind = "interp" | "engine";

/** How a stretch of direct execution ended. */
export interface DirectRun {
  /** Guest instructions that retired on the machine. */
  readonly retired: number;
  /** Guest steps taken: the retired ones, plus the one that trapped or halted. */
  readonly steps: number;
  readonly trap: TrapEvent | null;
  readonly halted: boolean;
}

/** The original of a patched instruction, as the dispatcher needs it. */
export interface Patch {
  readonly instruction: string;
  readonly operands: ReadonlyMap<string, bigint>;
  /** Length in memory units: the instruction after it is at pc + units. */
  readonly units: number;
}

/** The patcher as the VM sees it: its side table of originals, by physical address. */
export interface PatchTable {
  patchAt(pa: bigint): Patch | undefined;
  /** Physical units were written outside direct execution (by the VMM's routines): drop what they held. */
  written(pa: bigint, units: number): void;
}

export interface DirectExecutor {
  readonly kind: ExecutorKind;
  /** The VM's guest-physical memory: what the executor runs on, shared with the VM's states. */
  readonly memory: Map<bigint, bigint>;
  /** The patcher's side table (patch mode), or null. */
  readonly patches: PatchTable | null;
  /** Runs `real` (the installed registers) for up to budget steps; real holds the registers after. */
  run(real: MachineState, budget: number): DirectRun;
}
