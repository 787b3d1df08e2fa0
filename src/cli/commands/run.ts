/**
 * `popek run FILE.isa PROGRAM.s [--max N] [--trace]`: runs a program on the spec's machine from
 * reset and prints the final state.
 */
import { formatInstruction } from "../../machine/disassembler.js";
import { Machine } from "../../machine/machine.js";
import { EXIT, loadIsa, type Io } from "../load-isa.js";
import { formatState, hex } from "../format-state.js";
import { assembleFile, loadProgram } from "./program.js";

export interface RunOptions {
  readonly max: number;
  readonly trace: boolean;
}

export function runCommand(specFile: string, programFile: string, options: RunOptions, io: Io): number {
  const { isa } = loadIsa(specFile, io, { quietWarnings: true });
  if (!isa) return EXIT.specError;
  const program = assembleFile(isa, programFile, io);
  if (!program) return EXIT.specError;
  const machine = new Machine(isa);
  loadProgram(machine, program);
  const symbols = new Map([...program.symbols].map(([k, v]) => [v, k]));
  const result = machine.run({
    maxSteps: options.max,
    onStep: options.trace
      ? (r) => {
          if (r.kind === "retired") io.out(`${hex(r.pc, isa.vaddrWidth)}  ${formatInstruction(r.decoded, { pc: r.pc, isa, symbols })}`);
          else if (r.kind === "trap") io.out(`${hex(r.trap.pc, isa.vaddrWidth)}  -- trap ${r.trap.cause.name}${r.trap.info ? ` (${r.trap.info})` : ""}${r.trap.fromTick ? " from tick" : ""}`);
          else if (r.kind === "halted") io.out(`${hex(r.pc, isa.vaddrWidth)}  -- halt`);
        }
      : undefined,
  });
  const status =
    result.status === "halted" ? `halted after ${result.steps} steps`
    : result.status === "limit" ? `stopped at the step limit (${options.max}); raise it with --max`
    : result.status === "error" ? `machine error after ${result.steps} steps: ${result.message}`
    : `stopped after ${result.steps} steps`;
  io.out(`status  ${status}`);
  io.out(formatState(isa, machine.state));
  return result.status === "error" ? EXIT.failed : EXIT.ok;
}
