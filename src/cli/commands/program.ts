/**
 * Assembles a program file for a checked ISA and loads it into a machine; shared by run and asm.
 */
import { readFileSync } from "node:fs";
import type * as IR from "../../ir/ir.js";
import { assemble, type AsmResult } from "../../machine/assembler.js";
import type { Machine } from "../../machine/machine.js";
import type { Io } from "../load-isa.js";

export function assembleFile(isa: IR.Isa, file: string, io: Io): AsmResult | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    io.err(`${file}: error: cannot read: ${(e as Error).message}`);
    return null;
  }
  const r = assemble(isa, text);
  for (const e of r.errors) io.err(`${file}:${e.line}: error: ${e.message}`);
  return r.errors.length ? null : r;
}

/** Loads the segments and points the PC at `_start` when the program defines it. */
export function loadProgram(machine: Machine, program: AsmResult): void {
  for (const s of program.segments) machine.load(s.address, s.units);
  if (program.entry !== null) machine.state.pc = program.entry;
}
