/**
 * A difftest program: the seeded user state, the data area, and a list of instruction slots
 * (src/programs/layout.ts: targets by slot index, so shrinking keeps branches on instruction
 * boundaries), laid out at the peer's program address.
 */
import type * as IR from "../ir/ir.js";
import { layOutSlots, type Laid, type Slot } from "../programs/layout.js";
import type { Peer } from "./peer.js";

export { pcrelFields, type Laid, type Slot } from "../programs/layout.js";

export interface Program {
  /** One value per peer.observed entry (masked; unseeded entries are ignored). */
  readonly init: readonly bigint[];
  readonly data: Uint8Array;
  readonly slots: readonly Slot[];
}

/** Places the program at peer.layout.prog and resolves its branch targets. */
export function layOut(isa: IR.Isa, peer: Peer, slots: readonly Slot[]): Laid {
  return layOutSlots(isa, peer.layout.prog, slots);
}
