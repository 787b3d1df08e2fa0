/**
 * The equivalence report as text: counts and endings, and for a divergence everything needed to
 * read and reproduce it - the shrunk program disassembled, the initial state, both final states
 * side by side, the first differing element, and how to replay it.
 */
import type * as IR from "../ir/ir.js";
import type { MachineState } from "../machine/state.js";
import { formatInstruction } from "../machine/disassembler.js";
import type { Decoder } from "../machine/decoder.js";
import { encodingOf, wordOf } from "../programs/forms.js";
import type { GuestCase } from "./arbitrary.js";
import type { Checked } from "./equivalence.js";
import { levelOf } from "./guest-state.js";
import type { GuestLayout } from "./layout.js";
import { formatEnding, imageOf } from "./run.js";

const hex = (v: bigint) => `0x${v.toString(16)}`;

function regName(e: IR.StateElement, i: number): string {
  return e.count === null ? e.name : `${e.name}[${i}]`;
}

/** Address, units and disassembly of each instruction. */
export function listing(isa: IR.Isa, decoder: Decoder, layout: GuestLayout, c: GuestCase): string[] {
  const image = imageOf(isa, layout, c);
  if (!image) return ["(cannot be laid out)"];
  const { laid } = image;
  return laid.forms.map((form, i) => {
    const pc = laid.addresses[i]!;
    const units = laid.code.slice(Number(pc - layout.code), Number(laid.addresses[i + 1]! - layout.code));
    const d = decoder.decodeWord(wordOf(isa, form), encodingOf(isa, form).length);
    const digits = Math.ceil(isa.memory.unitWidth / 4);
    const text = d ? formatInstruction(d, { pc, isa }) : "(does not decode)";
    return `${hex(pc)}  ${units.map((u) => u.toString(16).padStart(digits, "0")).join(" ").padEnd(24)} ${text}`;
  });
}

/** The initial registers that are not at reset, and the privilege level. */
export function initialState(isa: IR.Isa, c: GuestCase): string[] {
  const level = levelOf(isa, c.regs);
  const lines = [`privilege level ${level >= 0 ? isa.privilege.levels[level]!.name : "(none)"}`];
  const regs: string[] = [];
  for (const e of isa.state) {
    c.regs[e.id]!.forEach((v, i) => {
      if (v !== e.reset || e.isPc) regs.push(`${regName(e, i)} = ${hex(v)}`);
    });
  }
  for (let k = 0; k < regs.length; k += 4) lines.push(regs.slice(k, k + 4).join("  "));
  const nonzero = c.data.filter((u) => u !== 0n).length;
  lines.push(nonzero ? `data area: ${c.data.length} units, ${nonzero} nonzero (first: ${c.data.slice(0, 8).map(hex).join(" ")})` : `data area: ${c.data.length} units, all zero`);
  return lines;
}

/** Both final states side by side: every register that is not at reset on either side (* where they differ). */
function finalStates(isa: IR.Isa, bare: MachineState, vm: MachineState, halted: readonly [boolean, boolean]): string[] {
  const rows: string[][] = [["", "bare machine", "under the VMM"]];
  for (const e of isa.state) {
    for (let i = 0; i < (e.count ?? 1); i++) {
      const a = bare.reg(e.id, i);
      const b = vm.reg(e.id, i);
      if (a === e.reset && b === e.reset && !e.isPc) continue;
      rows.push([`${a === b ? " " : "*"} ${regName(e, i)}`, hex(a), hex(b)]);
    }
  }
  rows.push(["  output", `[${bare.output.join(" ")}]`, `[${vm.output.join(" ")}]`]);
  rows.push([`${halted[0] === halted[1] ? " " : "*"} halted`, String(halted[0]), String(halted[1])]);
  const w = [0, 1].map((k) => Math.max(...rows.map((r) => r[k]!.length)));
  return rows.map((r) => `${r[0]!.padEnd(w[0]!)}  ${r[1]!.padEnd(w[1]!)}  ${r[2]}`);
}

export interface DivergenceText {
  readonly title: string;
  readonly isa: IR.Isa;
  readonly decoder: Decoder;
  readonly layout: GuestLayout;
  readonly c: GuestCase;
  readonly checked: Checked & { kind: "diverged" };
  readonly replay: string;
}

export function formatDivergence(d: DivergenceText): string[] {
  const { isa, checked } = d;
  const out = [d.title, "  program:"];
  out.push(...listing(isa, d.decoder, d.layout, d.c).map((l) => `    ${l}`));
  out.push("  initial state:", ...initialState(isa, d.c).map((l) => `    ${l}`));
  out.push(`  ended in: bare machine ${formatEnding(checked.bare.ending)} after ${checked.bare.steps} step(s); VM ${formatEnding(checked.guest.ending)}`);
  out.push(`  first difference: ${checked.differences[0]}${checked.differences.length > 1 ? ` (and ${checked.differences.length - 1} more)` : ""}`);
  for (const more of checked.differences.slice(1, 6)) out.push(`                    ${more}`);
  out.push("  final states:", ...finalStates(isa, checked.bare.state, checked.guest.vm.virtual, [checked.bare.state.halted, checked.guest.vm.halted]).map((l) => `    ${l}`));
  out.push(`  replay: ${d.replay}`);
  return out;
}
