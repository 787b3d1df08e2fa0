/**
 * Compares the peer's final user state with popek's: equal to one of popek's allowed outcomes, or a
 * mismatch that names the first differing element.
 */
import type { Outcome } from "./on-popek.js";
import type { Peer } from "./peer.js";

export interface Difference {
  /** The observed register's label, or `data+OFFSET` for a byte of the data area. */
  readonly element: string;
  readonly popek: bigint;
  readonly peer: bigint;
}

/** Every difference between two outcomes, registers first, then the data area by address. */
export function differences(peer: Peer, popek: Outcome, other: Outcome): Difference[] {
  const out: Difference[] = [];
  peer.observed.forEach((o, i) => {
    if (popek.values[i] !== other.values[i]) out.push({ element: o.label, popek: popek.values[i]!, peer: other.values[i]! });
  });
  for (let k = 0; k < popek.data.length; k++) {
    if (popek.data[k] !== other.data[k]) out.push({ element: `data+0x${k.toString(16)}`, popek: BigInt(popek.data[k]!), peer: BigInt(other.data[k]!) });
  }
  return out;
}

/** Null when the peer's outcome is one popek allows; else the differences from popek's closest one. */
export function compareOutcomes(peer: Peer, popek: readonly Outcome[], other: Outcome): Difference[] | null {
  let best: Difference[] | null = null;
  for (const o of popek) {
    const d = differences(peer, o, other);
    if (d.length === 0) return null;
    if (!best || d.length < best.length) best = d;
  }
  return best;
}

/** The observed registers of a state as report lines, one per line (data-area differences are listed by the report). */
export function formatOutcome(peer: Peer, o: Outcome): string {
  return peer.observed.map((ob, i) => `${ob.label.padEnd(8)} 0x${o.values[i]!.toString(16).padStart(8, "0")}`).join("\n");
}
