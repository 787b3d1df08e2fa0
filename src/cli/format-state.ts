/**
 * Human-readable machine state: the final dump of `popek run` and the trace lines.
 */
import type * as IR from "../ir/ir.js";
import { Interpreter } from "../machine/interpreter.js";
import type { MachineState } from "../machine/state.js";

export function hex(v: bigint, width: number): string {
  return `0x${v.toString(16).padStart(Math.ceil(width / 4), "0")}`;
}

/** The privilege level the state is in, by the spec's privilege declaration. */
export function levelName(isa: IR.Isa, state: MachineState): string {
  const interp = new Interpreter(isa, state);
  const v = interp.eval(isa.privilege.element, { locals: [], operands: new Map(), nextPc: 0n });
  return isa.privilege.levels.find((l) => l.values.includes(v))?.name ?? `unnamed mode ${v}`;
}

export function formatState(isa: IR.Isa, state: MachineState): string {
  const lines: string[] = [];
  lines.push(`pc      ${isa.state[isa.pc]!.name} = ${hex(state.pc, isa.vaddrWidth)}`);
  lines.push(`level   ${levelName(isa, state)}`);
  for (const role of ["control", "user"] as const) {
    const cells: string[] = [];
    for (const el of isa.state) {
      if (el.role !== role || el.isPc) continue;
      const values = state.regs[el.id]!;
      if (el.count === null) cells.push(`${el.name}=${hex(values[0]!, el.width)}`);
      else values.forEach((v, i) => cells.push(`${el.name}[${i}]=${hex(v, el.width)}`));
    }
    for (let i = 0; i < cells.length; i += 6) lines.push(`${i === 0 ? role.padEnd(8) : " ".repeat(8)}${cells.slice(i, i + 6).join("  ")}`);
  }
  const used = [...state.memory.keys()].length;
  lines.push(`memory  ${used} nonzero unit(s)`);
  lines.push(`output  ${state.output.length ? state.output.map((v) => v.toString()).join(" ") : "(none)"}`);
  return lines.join("\n");
}
