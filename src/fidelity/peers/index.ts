/**
 * The peers popek knows, and each bundled ISA's default one.
 */
import type { Peer } from "../peer.js";
import { armv7 } from "./armv7.js";
import { riscv32 } from "./riscv32.js";
import { x86 } from "./x86.js";

export const PEERS: readonly Peer[] = [riscv32, armv7, x86];

/** The peer named `name` (or the ISA's default), or an explanation of what exists. */
export function findPeer(isaName: string, name?: string): Peer | string {
  const forIsa = PEERS.filter((p) => p.isa === isaName);
  if (name === undefined) return forIsa[0] ?? `no peer is known for ISA '${isaName}' (known: ${PEERS.map((p) => `${p.name} for ${p.isa}`).join(", ")})`;
  const p = PEERS.find((x) => x.name === name);
  if (!p) return `unknown peer '${name}' (known: ${PEERS.map((x) => x.name).join(", ")})`;
  if (p.isa !== isaName) return `peer '${name}' implements '${p.isa}', not '${isaName}'`;
  return p;
}
