/**
 * A guest case as a JSON file, so that a divergence can be run again exactly (`popek equiv
 * --replay PATH`), whatever changed in the generator since: numbers are written as hex strings.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { GuestCase } from "./arbitrary.js";

export interface ReplayFile {
  readonly isa: string;
  readonly config: string;
  readonly mode: string;
  /** The direct executor the case diverged on (absent in files from before the option existed). */
  readonly executor?: string;
  readonly length: number;
  readonly seed: number;
  readonly index: number;
  readonly case: GuestCase;
}

const hex = (v: bigint) => `0x${v.toString(16)}`;

function encode(r: ReplayFile): unknown {
  return {
    ...r,
    case: {
      regs: r.case.regs.map((row) => row.map(hex)),
      data: r.case.data.map(hex),
      slots: r.case.slots.map((s) => ({
        instruction: s.form.instruction,
        encoding: s.form.encoding,
        fields: Object.fromEntries([...s.form.fields].map(([k, v]) => [k, hex(v)])),
        target: s.target,
      })),
    },
  };
}

export function writeReplay(path: string, r: ReplayFile): void {
  writeFileSync(path, `${JSON.stringify(encode(r), null, 1)}\n`);
}

interface Raw {
  isa: string; config: string; mode: string; executor?: string; length: number; seed: number; index: number;
  case: { regs: string[][]; data: string[]; slots: { instruction: number; encoding: number; fields: Record<string, string>; target: number | null }[] };
}

/** Reads a replay file; throws an Error with a readable message when it is not one. */
export function readReplay(path: string): ReplayFile {
  let raw: Raw;
  try {
    raw = JSON.parse(readFileSync(path, "utf8")) as Raw;
  } catch (e) {
    throw new Error(`cannot read the replay file ${path}: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== "object" || !raw.case || !Array.isArray(raw.case.slots)) throw new Error(`${path} is not a popek equiv replay file`);
  return {
    ...raw,
    case: {
      regs: raw.case.regs.map((row) => row.map((v) => BigInt(v))),
      data: raw.case.data.map((v) => BigInt(v)),
      slots: raw.case.slots.map((s) => ({
        form: { instruction: s.instruction, encoding: s.encoding, fields: new Map(Object.entries(s.fields).map(([k, v]) => [k, BigInt(v)])) },
        target: s.target,
      })),
    },
  };
}
