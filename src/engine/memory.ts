/**
 * The engine's physical memory: pages of a typed array chosen by the unit width (bytes for byte-
 * addressed machines, 32-bit words for the P&G machine), allocated on first write, so a 4 GiB space
 * costs only what is used. Each unit a translated block was fetched from is flagged (a per-page flag,
 * then a per-unit one), and a write to such a unit tells the block cache: precise invalidation of
 * self-modifying code, while data next to code stays cheap to write.
 */
import type * as IR from "../ir/ir.js";

type Page = Uint8Array | Uint16Array | Uint32Array;

/**
 * Where a memory keeps its units: storage pages of 2^pageBits units, code flags per 2^codeBits
 * units, and whether each byte page has a 32-bit view. Generated code inlines its fast paths from
 * these (see Specializer.readMemory), so they are computed in one place.
 */
export interface MemoryGeometry {
  readonly pageBits: number;
  readonly codeBits: number;
  /** Byte memory in the host's byte order: aligned words are one access of a page's Uint32Array. */
  readonly wordView: boolean;
  /**
   * Units below this address live in one contiguous buffer (0: none), so generated code reaches
   * them with one typed-array access and a bounds test instead of a page lookup.
   */
  readonly flatUnits: number;
}

/** Bytes of the contiguous low region (16 MiB: code, data and stack of small guests). */
const FLAT_BITS = 24;

export function memoryGeometry(memory: IR.Memory): MemoryGeometry {
  const pageBits = Math.min(16, memory.addrWidth);
  const hostLittle = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  const wordView = memory.unitWidth === 8 && memory.endian !== "big" && pageBits >= 2 && hostLittle;
  return {
    pageBits,
    codeBits: Math.min(12, memory.addrWidth),
    wordView,
    flatUnits: wordView ? 2 ** Math.min(FLAT_BITS, memory.addrWidth) : 0,
  };
}

export class PhysicalMemory {
  readonly unitWidth: number;
  readonly addrWidth: number;
  readonly big: boolean;
  /** Units per storage page = 2^pageBits. */
  readonly pageBits: number;
  private readonly pageMask: number;
  readonly pages: (Page | undefined)[];
  /**
   * For byte memories in the host's byte order (little-endian): each page's 32-bit view, so an
   * aligned word is one typed-array access (r32/w32).
   */
  readonly words: (Uint32Array | undefined)[];
  private readonly wordView: boolean;
  /** Units per code page = 2^codeBits (4 KiB: finer than storage, so data near code stays fast). */
  readonly codeBits: number;
  private readonly codeMask: number;
  /** Per page: 1 when a translated block was fetched from it. */
  readonly code: Uint8Array;
  /** Per page with code: 1 per unit a block was fetched from. */
  readonly codeUnits = new Map<number, Uint8Array>();
  /** Units below this address are the contiguous region (flat8/flat32; storage pages there are views of it). */
  readonly flatUnits: number;
  readonly flat8: Uint8Array;
  readonly flat32: Uint32Array;
  /**
   * Per code page (2^codeBits units) of the flat region: 0 when generated code may write it straight
   * into flat8/flat32 (its storage page exists and no block was fetched from it), else 1.
   */
  readonly slowWrite: Uint8Array;
  private readonly size: number;
  private readonly unitMask: number;
  /** Called on a write into a code page (before the write lands). */
  onCodeWrite: (pa: number) => void = () => {};

  constructor(memory: IR.Memory) {
    if (memory.unitWidth > 32 || 32 % memory.unitWidth !== 0) throw new Error(`engine: unsupported memory unit width ${memory.unitWidth}`);
    if (memory.addrWidth > 32) throw new Error(`engine: unsupported physical address width ${memory.addrWidth}`);
    this.unitWidth = memory.unitWidth;
    this.addrWidth = memory.addrWidth;
    this.big = memory.endian === "big";
    const g = memoryGeometry(memory);
    this.pageBits = g.pageBits;
    this.pageMask = 2 ** this.pageBits - 1;
    this.pages = new Array(2 ** (memory.addrWidth - this.pageBits)).fill(undefined);
    this.wordView = g.wordView;
    this.words = this.wordView ? new Array(this.pages.length).fill(undefined) : [];
    this.codeBits = g.codeBits;
    this.codeMask = 2 ** this.codeBits - 1;
    this.code = new Uint8Array(2 ** (memory.addrWidth - this.codeBits));
    this.size = 2 ** memory.addrWidth;
    this.unitMask = memory.unitWidth === 32 ? 0xffffffff : 2 ** memory.unitWidth - 1;
    this.flatUnits = g.flatUnits;
    this.flat8 = new Uint8Array(this.flatUnits);
    this.flat32 = new Uint32Array(this.flat8.buffer);
    this.slowWrite = new Uint8Array(this.flatUnits >>> this.codeBits).fill(1);
  }

  /** Recomputes the slow-write flags of the code pages inside storage page pg. */
  private refreshSlow(pg: number): void {
    const first = (pg << this.pageBits) >>> this.codeBits;
    const n = 2 ** (this.pageBits - this.codeBits);
    if (first >= this.slowWrite.length) return;
    const present = this.pages[pg] !== undefined;
    for (let c = first; c < first + n; c++) this.slowWrite[c] = present && this.code[c] === 0 ? 0 : 1;
  }

  /** Allocates the storage page of pa. */
  private newPage(pa: number): Page {
    const n = 2 ** this.pageBits;
    const pg = pa >>> this.pageBits;
    const inFlat = pa < this.flatUnits;
    const p = inFlat ? this.flat8.subarray(pg * n, (pg + 1) * n) : this.unitWidth === 8 ? new Uint8Array(n) : this.unitWidth === 16 ? new Uint16Array(n) : new Uint32Array(n);
    this.pages[pg] = p;
    if (this.wordView) this.words[pg] = new Uint32Array(p.buffer, p.byteOffset, n / 4);
    if (inFlat) this.refreshSlow(pg);
    return p;
  }

  /** A 32-bit word (4 byte units, memory byte order) at pa: one access when aligned. */
  r32(pa: number): number {
    if ((pa & 3) === 0 && this.wordView) {
      const w = this.words[pa >>> this.pageBits];
      return w === undefined ? 0 : w[(pa & this.pageMask) >>> 2]!;
    }
    return this.r(pa, 4);
  }

  /** Writes a 32-bit word (4 byte units) at pa: one access when aligned and not in a code page. */
  w32(pa: number, v: number): void {
    if ((pa & 3) === 0 && this.wordView && this.code[pa >>> this.codeBits] === 0) {
      const w = this.words[pa >>> this.pageBits];
      if (w !== undefined) {
        w[(pa & this.pageMask) >>> 2] = v;
        return;
      }
    }
    this.w(pa, 4, v);
  }

  /** One byte unit. */
  r8(pa: number): number {
    const p = this.pages[pa >>> this.pageBits];
    return p === undefined ? 0 : p[pa & this.pageMask]!;
  }

  /** Writes one byte unit (outside code pages directly). */
  w8(pa: number, v: number): void {
    const p = this.pages[pa >>> this.pageBits];
    if (p !== undefined && this.code[pa >>> this.codeBits] === 0) p[pa & this.pageMask] = v;
    else this.setU(pa, v & 0xff);
  }

  /** pa + k, wrapped to the physical address width. */
  add(pa: number, k: number): number {
    const a = pa + k;
    return a >= this.size ? a - this.size : a;
  }

  /** One unit. */
  u(pa: number): number {
    const p = this.pages[pa >>> this.pageBits];
    return p === undefined ? 0 : p[pa & this.pageMask]!;
  }

  /** Writes one unit (masked to the unit width). */
  setU(pa: number, v: number): void {
    if (this.code[pa >>> this.codeBits] !== 0 && this.codeUnits.get(pa >>> this.codeBits)![pa & this.codeMask] !== 0) this.onCodeWrite(pa);
    let p = this.pages[pa >>> this.pageBits];
    if (p === undefined) {
      if (v === 0) return;
      p = this.newPage(pa);
    }
    p[pa & this.pageMask] = v;
  }

  /** n consecutive units as one number (n units of at most 32 bits in all), in the memory's byte order. */
  r(pa: number, n: number): number {
    if (n === 1) return this.u(pa);
    const o = pa & this.pageMask;
    const p = this.pages[pa >>> this.pageBits];
    if (o + n - 1 <= this.pageMask) {
      if (p === undefined) return 0;
      if (this.unitWidth === 8) {
        if (n === 4) {
          return this.big
            ? ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0
            : ((p[o + 3]! << 24) | (p[o + 2]! << 16) | (p[o + 1]! << 8) | p[o]!) >>> 0;
        }
        if (n === 2) return this.big ? (p[o]! << 8) | p[o + 1]! : (p[o + 1]! << 8) | p[o]!;
      }
    }
    return this.rSlow(pa, n);
  }

  private rSlow(pa: number, n: number): number {
    let v = 0;
    const w = 2 ** this.unitWidth;
    for (let i = 0; i < n; i++) {
      const k = this.big ? i : n - 1 - i;
      v = v * w + this.u(this.add(pa, k));
    }
    return v;
  }

  /** Writes n units from the low n * unitWidth bits of v, in the memory's byte order. */
  w(pa: number, n: number, v: number): void {
    if (n === 1) return this.setU(pa, v);
    const o = pa & this.pageMask;
    if (this.unitWidth === 8 && o + n - 1 <= this.pageMask && (this.code[pa >>> this.codeBits] === 0 || !this.touchesCode(pa, n))) {
      let p = this.pages[pa >>> this.pageBits];
      if (p === undefined) {
        if (v === 0) return;
        p = this.newPage(pa);
      }
      if (n === 4) {
        if (this.big) {
          p[o] = v >>> 24; p[o + 1] = v >>> 16; p[o + 2] = v >>> 8; p[o + 3] = v;
        } else {
          p[o] = v; p[o + 1] = v >>> 8; p[o + 2] = v >>> 16; p[o + 3] = v >>> 24;
        }
        return;
      }
      if (n === 2) {
        if (this.big) {
          p[o] = v >>> 8; p[o + 1] = v;
        } else {
          p[o] = v; p[o + 1] = v >>> 8;
        }
        return;
      }
    }
    for (let i = 0; i < n; i++) {
      const k = this.big ? n - 1 - i : i;
      this.setU(this.add(pa, k), Math.floor(v / 2 ** (i * this.unitWidth)) & this.unitMask);
    }
  }

  /** Drops every page (all memory reads zero). */
  clear(): void {
    // The flat region's pages are views: zero the ones in use.
    for (let pg = 0; pg < this.pages.length && pg * 2 ** this.pageBits < this.flatUnits; pg++) this.pages[pg]?.fill(0);
    this.pages.fill(undefined);
    this.words.fill(undefined);
    this.slowWrite.fill(1);
  }

  /** Every non-zero unit (address order). */
  *entries(): Generator<[number, number]> {
    for (let pg = 0; pg < this.pages.length; pg++) {
      const p = this.pages[pg];
      if (p === undefined) continue;
      for (let o = 0; o < p.length; o++) if (p[o] !== 0) yield [pg * 2 ** this.pageBits + o, p[o]!];
    }
  }

  private touchesCode(pa: number, n: number): boolean {
    for (let k = 0; k < n; k++) {
      const a = pa + k;
      const f = this.code[a >>> this.codeBits] !== 0 ? this.codeUnits.get(a >>> this.codeBits) : undefined;
      if (f !== undefined && f[a & this.codeMask] !== 0) return true;
    }
    return false;
  }

  /** Marks the unit at pa as fetched by a translated block. */
  markCode(pa: number): void {
    const page = pa >>> this.codeBits;
    let f = this.codeUnits.get(page);
    if (!f) this.codeUnits.set(page, (f = new Uint8Array(2 ** this.codeBits)));
    f[pa & this.codeMask] = 1;
    this.code[page] = 1;
    if (page < this.slowWrite.length) this.slowWrite[page] = 1;
  }

  /** Clears every code flag of the page holding pa. */
  clearCode(pa: number): void {
    const page = pa >>> this.codeBits;
    this.code[page] = 0;
    this.codeUnits.delete(page);
    if (page < this.slowWrite.length) this.slowWrite[page] = this.pages[pa >>> this.pageBits] === undefined ? 1 : 0;
  }

  /** Clears all code flags. */
  clearAllCode(): void {
    this.code.fill(0);
    this.codeUnits.clear();
    for (let pg = 0; pg * 2 ** this.pageBits < this.flatUnits; pg++) this.refreshSlow(pg);
  }
}
