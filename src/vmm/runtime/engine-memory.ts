/**
 * A VM's guest-physical memory when the engine runs it: the engine's own paged memory, seen as the
 * Map of units the VM's machine states (and through them the generated VMM) read and write. A write
 * through this view lands in the engine's memory like a guest store, so one into translated code
 * drops the blocks fetched from it (and the patches they carried).
 */
import type { PhysicalMemory } from "../../engine/memory.js";

export class EngineMemory extends Map<bigint, bigint> {
  constructor(private readonly m: PhysicalMemory) {
    super();
  }
  override get(k: bigint): bigint | undefined {
    const v = this.m.u(Number(k));
    return v === 0 ? undefined : BigInt(v >>> 0);
  }
  override set(k: bigint, v: bigint): this {
    this.m.setU(Number(k), Number(v));
    return this;
  }
  override has(k: bigint): boolean {
    return this.m.u(Number(k)) !== 0;
  }
  override delete(k: bigint): boolean {
    const had = this.has(k);
    if (had) this.m.setU(Number(k), 0);
    return had;
  }
  override clear(): void {
    this.m.clear();
  }
  override get size(): number {
    let n = 0;
    for (const _ of this.m.entries()) n++;
    return n;
  }
  override *entries(): MapIterator<[bigint, bigint]> {
    for (const [a, v] of this.m.entries()) yield [BigInt(a), BigInt(v >>> 0)];
  }
  override *keys(): MapIterator<bigint> {
    for (const [a] of this.m.entries()) yield BigInt(a);
  }
  override *values(): MapIterator<bigint> {
    for (const [, v] of this.m.entries()) yield BigInt(v >>> 0);
  }
  override [Symbol.iterator](): MapIterator<[bigint, bigint]> {
    return this.entries();
  }
  override forEach(f: (value: bigint, key: bigint, map: Map<bigint, bigint>) => void): void {
    for (const [k, v] of this.entries()) f(v, k, this);
  }
}
