/**
 * The patcher: where Theorem 1 fails, problem instructions (the analyzer's verdict, never a list)
 * must not run directly. Before a guest basic block first runs, it is decoded with the spec's
 * decoder from the guest's memory; every problem instruction in it gets a trapping form in its
 * first fetch unit - a word no encoding of the spec begins with, so the machine raises the spec's
 * undefined-instruction cause there - and the original goes into a side table that the dispatcher
 * consults. The trapping forms live in a fetch overlay: the guest's loads and stores see its own
 * bytes, never the patch. Blocks are cached by physical address and linked to the block that
 * followed them (chaining); a write to a block's code drops it, patches and all (self-modifying
 * code, code loaded at run time).
 */
import * as IR from "../../ir/ir.js";
import { bodyFootprint } from "../../ir/footprint.js";
import { Decoder, type Decoded } from "../../machine/decoder.js";
import { Rng } from "../../analysis/sample.js";
import type { Patch, PatchTable } from "./executor.js";
import type { VmStats } from "./stats.js";

interface Block {
  readonly start: bigint;
  /** Physical address of each instruction's first unit, in order. */
  readonly starts: readonly bigint[];
  /** Every physical unit the block's instructions occupy. */
  readonly units: readonly bigint[];
  /** Physical addresses of this block's patches. */
  readonly patches: readonly bigint[];
  /** The block control went to last time it left this one. */
  next: Block | null;
}

/** Translation of a virtual fetch address for the guest, or null when it would trap. */
export type FetchTranslation = (va: bigint) => bigint | null;

export class Patcher implements PatchTable {
  private readonly decoder: Decoder;
  private readonly blocks = new Map<bigint, Block>();
  /** Block by the physical address of each instruction it holds. */
  private readonly byInstruction = new Map<bigint, Block>();
  /** Blocks by every physical unit of their code. */
  private readonly byUnit = new Map<bigint, Set<Block>>();
  private readonly patches = new Map<bigint, Patch>();
  /** The trapping forms, by physical unit: what the machine fetches instead of memory. */
  readonly overlay = new Map<bigint, bigint>();
  private current: Block | null = null;
  private readonly endsBlock: ReadonlySet<number>;
  private readonly per: number;

  constructor(
    private readonly isa: IR.Isa,
    private readonly problems: ReadonlySet<string>,
    private readonly trapWord: bigint,
    private readonly readOriginal: (pa: bigint) => bigint,
    private readonly stats: VmStats,
  ) {
    this.decoder = new Decoder(isa);
    this.per = isa.memory.fetchUnit / isa.memory.unitWidth;
    // An instruction that may write the program counter (a branch, a trap return) ends a block.
    this.endsBlock = new Set(isa.instructions.filter((i) => bodyFootprint(isa, i.body, { followTranslate: false }).writes.has(isa.pc)).map((i) => i.id));
  }

  /** Makes sure the block at pc is scanned and patched before it runs. */
  ensure(pc: bigint, translate: FetchTranslation): void {
    const pa = translate(pc);
    if (pa === null) return;
    const here = this.byInstruction.get(pa);
    if (here) {
      if (here !== this.current) {
        if (this.current && this.current.next === here) this.stats.chained++;
        else {
          this.stats.cacheHits++;
          if (this.current) this.current.next = here;
        }
        this.current = here;
      }
      return;
    }
    const block = this.scan(pc, pa, translate);
    if (this.current) this.current.next = block;
    this.current = block;
  }

  /** The original instruction at a patched physical address. */
  patchAt(pa: bigint): Patch | undefined {
    return this.patches.get(pa);
  }

  /** Tells the patcher that physical units were written: blocks holding them are dropped. */
  written(pa: bigint, units: number): void {
    for (let u = 0; u < units; u++) {
      const holders = this.byUnit.get(BigInt.asUintN(this.isa.memory.addrWidth, pa + BigInt(u)));
      if (!holders) continue;
      for (const b of [...holders]) this.drop(b);
    }
  }

  private scan(pc: bigint, startPa: bigint, translate: FetchTranslation): Block {
    const starts: bigint[] = [];
    const units: bigint[] = [];
    const patches: bigint[] = [];
    let va = pc;
    for (let n = 0; n < 64; n++) {
      const fetched: bigint[][] = [];
      let decoded: Decoded | null = null;
      try {
        decoded = this.decoder.decode((k) => {
          const pa = translate(BigInt.asUintN(this.isa.vaddrWidth, va + BigInt(k * this.per)));
          if (pa === null) throw stopScan;
          const group = Array.from({ length: this.per }, (_, u) => BigInt.asUintN(this.isa.memory.addrWidth, pa + BigInt(u)));
          fetched.push(group);
          return this.fetchUnitOf(group);
        });
      } catch (e) {
        if (e !== stopScan) throw e;
      }
      if (!decoded) break;
      // The decoder may look further than the instruction is long: only its own units are code.
      const own = fetched.slice(0, (decoded.units / this.per)).flat();
      if (own.some((u) => this.byInstruction.has(u) && u !== own[0])) break;
      starts.push(own[0]!);
      units.push(...own);
      if (this.problems.has(decoded.instruction.name)) {
        this.patch(own[0]!, decoded);
        patches.push(own[0]!);
      }
      if (this.endsBlock.has(decoded.instruction.id)) break;
      va = BigInt.asUintN(this.isa.vaddrWidth, va + BigInt(decoded.units));
      if (this.byInstruction.has(translate(va) ?? -1n)) break;
    }
    const block: Block = { start: startPa, starts, units, patches, next: null };
    this.blocks.set(startPa, block);
    for (const s of starts) if (!this.byInstruction.has(s)) this.byInstruction.set(s, block);
    for (const u of units) {
      let set = this.byUnit.get(u);
      if (!set) this.byUnit.set(u, (set = new Set()));
      set.add(block);
    }
    this.stats.blocks++;
    return block;
  }

  /** A fetch unit's value from original memory (big-endian or little-endian units as the machine reads them). */
  private fetchUnitOf(group: readonly bigint[]): bigint {
    const { unitWidth, endian } = this.isa.memory;
    let v = 0n;
    for (let i = 0; i < group.length; i++) {
      const j = endian === "big" ? i : group.length - 1 - i;
      v = (v << BigInt(unitWidth)) | this.readOriginal(group[j]!);
    }
    return v;
  }

  private patch(pa: bigint, d: Decoded): void {
    const { unitWidth, endian } = this.isa.memory;
    for (let i = 0; i < this.per; i++) {
      const j = endian === "big" ? i : this.per - 1 - i;
      const shift = BigInt((this.per - 1 - i) * unitWidth);
      this.overlay.set(BigInt.asUintN(this.isa.memory.addrWidth, pa + BigInt(j)), BigInt.asUintN(unitWidth, this.trapWord >> shift));
    }
    this.patches.set(pa, { instruction: d.instruction.name, operands: d.operands, units: d.units });
    this.stats.patched++;
  }

  private drop(b: Block): void {
    this.blocks.delete(b.start);
    for (const s of b.starts) if (this.byInstruction.get(s) === b) this.byInstruction.delete(s);
    for (const u of b.units) this.byUnit.get(u)?.delete(b);
    for (const p of b.patches) {
      this.patches.delete(p);
      for (let u = 0; u < this.per; u++) this.overlay.delete(BigInt.asUintN(this.isa.memory.addrWidth, p + BigInt(u)));
    }
    for (const other of this.blocks.values()) if (other.next === b) other.next = null;
    if (this.current === b) this.current = null;
    this.stats.invalidated++;
  }
}

const stopScan = new Error("fetch would trap");

/**
 * A fetch unit no encoding of the spec begins with: fetching it raises the undefined-instruction
 * cause whatever follows. Found by search (exhaustive for narrow fetch units); null if the spec
 * leaves no such word.
 */
export function undefinedWord(isa: IR.Isa): bigint | null {
  const U = isa.memory.fetchUnit;
  const tops = isa.instructions.flatMap((i) => i.encodings.map((e) => {
    const shift = BigInt(e.length - U);
    return { mask: e.mask >> shift, match: e.match >> shift };
  }));
  const free = (w: bigint) => tops.every((t) => (w & t.mask) !== t.match);
  if (U <= 16) {
    for (let w = 0n; w < 1n << BigInt(U); w++) if (free(w)) return w;
    return null;
  }
  const rng = new Rng(0x5eed);
  for (let t = 0; t < 200_000; t++) {
    const w = rng.bits(U);
    if (free(w)) return w;
  }
  return null;
}
