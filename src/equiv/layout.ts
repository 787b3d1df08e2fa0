/**
 * Where a random guest program lives in guest-physical memory, read off the spec: the code at the
 * reset PC (or, when that is 0, an eighth into the first 64K units, clear of the low vectors many
 * machines keep there), the data area right after the longest program, and after the program a
 * word no encoding begins with, so a program that runs off its end takes the spec's
 * undefined-instruction trap on both sides instead of running on into zeros.
 */
import type * as IR from "../ir/ir.js";
import { wordToUnits } from "../machine/assembler.js";
import { undefinedWord } from "../vmm/runtime/patcher.js";

export interface GuestLayout {
  /** Address of the first instruction (physical; virtual where translation is the identity). */
  readonly code: bigint;
  /** Address of the data area, and its size in memory units. */
  readonly data: bigint;
  readonly dataUnits: number;
  /** Units of the trapping word placed after a program; empty when the spec has none. */
  readonly terminator: readonly bigint[];
  /** Steps a program of `length` instructions may take (loops end there). */
  readonly maxSteps: number;
}

const layouts = new WeakMap<IR.Isa, Map<number, GuestLayout>>();

export function guestLayout(isa: IR.Isa, length: number): GuestLayout {
  let byLength = layouts.get(isa);
  if (!byLength) layouts.set(isa, (byLength = new Map()));
  let l = byLength.get(length);
  if (!l) byLength.set(length, (l = computeLayout(isa, length)));
  return l;
}

function computeLayout(isa: IR.Isa, length: number): GuestLayout {
  const { unitWidth, addrWidth, fetchUnit } = isa.memory;
  const pcEl = isa.state[isa.pc]!;
  const space = 1n << BigInt(addrWidth);
  const reset = pcEl.reset % space;
  const code = reset !== 0n ? reset : (space < 1n << 16n ? space : 1n << 16n) / 8n;
  const longest = Math.max(...isa.instructions.flatMap((i) => i.encodings.map((e) => e.length)));
  const codeUnits = BigInt(Math.ceil(((length + 1) * longest) / unitWidth));
  const align = 16n;
  const data = ((code + codeUnits + align - 1n) / align) * align;
  // About 128 bytes of data: enough for word, doubleword and multiple-register accesses.
  const dataUnits = Math.max(16, 1024 / unitWidth);
  const word = undefinedWord(isa);
  const terminator = word === null ? [] : wordToUnits(isa, word, fetchUnit);
  if (data + BigInt(dataUnits) > space) throw new Error(`${isa.name}: a program of ${length} instructions and its data do not fit in memory`);
  return { code, data, dataUnits, terminator, maxSteps: 4 * length + 16 };
}
