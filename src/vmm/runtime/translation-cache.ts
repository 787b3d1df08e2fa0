/**
 * The VMM's translation for direct execution, remembered (a software TLB), where the engine calls
 * the VMM's translate rather than compiling the guest's (see engine-executor.ts). While a VM runs directly
 * its virtual control state cannot change - every instruction that changes it traps to the VMM - so
 * the guest's translation of an address stays what it was, unless the guest stores into the tables
 * it read (page tables, descriptors in memory). The cache is emptied before each stretch of direct
 * execution and whenever the guest writes a unit a cached translation read. Translations that trap
 * are not kept: they are computed (and trap) again.
 */
export class TranslationCache {
  private readonly entries = new Map<number, bigint>();
  /** Memory units the cached translations read. */
  readonly tables = new Set<bigint>();
  hits = 0;
  misses = 0;

  constructor(private readonly translate: (va: bigint, access: bigint) => bigint) {}

  lookup(va: bigint, access: bigint): bigint {
    // Virtual addresses are at most 32 bits wide for the engine, so the key is an exact small integer.
    const key = Number(va) * 4 + Number(access);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const pa = this.translate(va, access);
    this.entries.set(key, pa);
    return pa;
  }

  clear(): void {
    this.entries.clear();
    this.tables.clear();
  }
}
