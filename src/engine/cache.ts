/**
 * Translated blocks by guest address, and which code pages each was fetched from. A write into a
 * code page (the memory's flag) drops every block fetched from that page and tells the engine, so
 * the running block leaves after the writing instruction. Blocks of one instruction (used when the
 * step budget is nearly spent) are kept apart from the full ones.
 */
import type * as IR from "../ir/ir.js";
import { fetchedUnits, type Block } from "./block.js";
import type { PhysicalMemory } from "./memory.js";

export class BlockCache {
  private readonly blocks = new Map<number, Block>();
  private readonly singles = new Map<number, Block>();
  private readonly byPage = new Map<number, Set<Block>>();
  /** Told of every write into translated code (with its physical address). */
  onCodeWrite: ((pa: number) => void) | null = null;

  constructor(
    private readonly isa: IR.Isa,
    private readonly memory: PhysicalMemory,
    private readonly stale: () => void,
  ) {
    memory.onCodeWrite = (pa) => this.codeWritten(pa);
  }

  get(pc: number): Block | undefined {
    return this.blocks.get(pc);
  }

  getSingle(pc: number): Block | undefined {
    return this.singles.get(pc);
  }

  /**
   * Caches b at each address it starts at (a region's blocks: see Block.starts), replacing what was
   * there - except that two regions share their entries: a region keeps its own head, and an
   * address that is only one of its other entries goes to the other region or stays with it
   * without either being dropped. Two regions around loops that share a block (an inner loop and
   * the outer loop it exits into) otherwise displaced each other for ever: each drop made the other
   * loop's head a plain block again, hot again after a few runs, a region again, which dropped the
   * first (ARM CRC32 retranslated some 160 blocks per repetition, at 0.3 guest MIPS).
   */
  put(b: Block, isa: IR.Isa): void {
    for (const pc of b.starts) {
      const old = this.blocks.get(pc);
      if (old !== undefined && old !== b && old.region && old.valid) {
        // b's head that is one of old's other entries: b takes it, old keeps the rest. Any other
        // entry of b that old has (its head or not) stays old's.
        if (pc === b.pc && pc !== old.pc) this.blocks.set(pc, b);
        else if (pc === b.pc) {
          this.drop(old);
          this.blocks.set(pc, b);
        }
        continue;
      }
      if (old !== undefined && old !== b) this.drop(old);
      this.blocks.set(pc, b);
    }
    this.translated++;
    this.register(b, isa);
  }

  /** Blocks and regions translated into this cache (tests check that hot code settles). */
  translated = 0;

  /** Invalidates b and removes it from every address it is cached at. */
  private drop(b: Block): void {
    b.valid = false;
    for (const pc of b.starts) if (this.blocks.get(pc) === b) this.blocks.delete(pc);
    if (this.singles.get(b.pc) === b) this.singles.delete(b.pc);
  }

  putSingle(b: Block, isa: IR.Isa): void {
    this.singles.set(b.pc, b);
    this.register(b, isa);
  }

  private register(b: Block, isa: IR.Isa): void {
    for (const pa of fetchedUnits(isa, b)) {
      const page = pa >>> this.memory.codeBits;
      let set = this.byPage.get(page);
      if (!set) this.byPage.set(page, (set = new Set()));
      set.add(b);
      this.memory.markCode(pa);
    }
  }

  /** Drops the blocks starting at pc. */
  forget(pc: number): void {
    const b = this.blocks.get(pc);
    if (b) this.drop(b);
    const s = this.singles.get(pc);
    if (s) this.drop(s);
  }

  clear(): void {
    for (const b of this.blocks.values()) b.valid = false;
    for (const b of this.singles.values()) b.valid = false;
    this.blocks.clear();
    this.singles.clear();
    this.byPage.clear();
    this.memory.clearAllCode();
  }

  private codeWritten(pa: number): void {
    const page = pa >>> this.memory.codeBits;
    const set = this.byPage.get(page) ?? new Set();
    // Drop the blocks fetched from this unit; flag again the units of the others in the page.
    this.memory.clearCode(pa);
    for (const b of [...set]) {
      if (b.valid && !fetchedUnits(this.isa, b).includes(pa)) continue;
      set.delete(b);
      this.drop(b);
    }
    for (const b of set) for (const u of fetchedUnits(this.isa, b)) if (u >>> this.memory.codeBits === page) this.memory.markCode(u);
    this.stale();
    this.onCodeWrite?.(pa);
    void this.isa;
  }
}
