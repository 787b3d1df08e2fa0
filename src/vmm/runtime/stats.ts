/**
 * What a VMM did for one VM, in Popek & Goldberg's terms: instructions that ran directly on the
 * machine (efficiency), instructions the VMM interpreted (its routines, or every instruction in
 * virtual supervisor mode for a hybrid VMM), traps by cause and what became of them, and the
 * patcher's work.
 */
export interface VmStats {
  /** Guest instructions retired on the real machine, deprivileged. */
  direct: number;
  /** Guest instructions the dispatcher ran through an interpreter routine. */
  emulated: number;
  /** Guest instructions interpreted in virtual supervisor mode (hybrid VMM). */
  interpreted: number;
  /** Traps of the deprivileged guest, by cause name. */
  readonly traps: Map<string, number>;
  /** Traps delivered to the guest's own trap mechanism, by cause name. */
  readonly reflected: Map<string, number>;
  /** Emulations by instruction name. */
  readonly routines: Map<string, number>;
  /**
   * Problem instructions (sensitive, not privileged) that ran directly, unpatched - what goes wrong
   * under plain trap-and-emulate where Theorem 1 fails. By name: executions on the interpreter;
   * on the engine, which runs whole blocks, the distinct addresses compiled for direct execution.
   */
  readonly unpatched: Map<string, number>;
  /** Basic blocks the patcher scanned, patched instructions, block cache hits, chained transitions, invalidations. */
  blocks: number;
  patched: number;
  cacheHits: number;
  chained: number;
  invalidated: number;
}

export function emptyStats(): VmStats {
  return {
    direct: 0, emulated: 0, interpreted: 0,
    traps: new Map(), reflected: new Map(), routines: new Map(), unpatched: new Map(),
    blocks: 0, patched: 0, cacheHits: 0, chained: 0, invalidated: 0,
  };
}

export function count(m: Map<string, number>, key: string, by = 1): void {
  m.set(key, (m.get(key) ?? 0) + by);
}

/** Share of guest instructions that ran directly (P&G's efficiency property). */
export function directRatio(s: VmStats): number {
  const total = s.direct + s.emulated + s.interpreted;
  return total === 0 ? 1 : s.direct / total;
}
