/**
 * Prints a decoded instruction with its encoding's syntax template: the inverse of the assembler.
 */
import type * as IR from "../ir/ir.js";
import type { Decoded } from "./decoder.js";

export interface DisasmContext {
  /** Address of the instruction, in memory units (for PC-relative operands). */
  readonly pc: bigint;
  readonly isa: IR.Isa;
  /** Names for addresses, shown instead of numbers where one fits. */
  readonly symbols?: ReadonlyMap<bigint, string>;
}

export function formatInstruction(d: Decoded, ctx: DisasmContext): string {
  return d.encoding.syntax
    .map((part) => {
      if (part.kind === "text") return part.text;
      const f = d.encoding.fields.find((x) => x.name === part.field)!;
      return formatOperand(part.format, d.operands.get(part.field) ?? 0n, f.width, d, ctx);
    })
    .join("");
}

function formatOperand(fmt: IR.OperandFormat, value: bigint, width: number, d: Decoded, ctx: DisasmContext): string {
  const signed = BigInt.asIntN(width, value);
  switch (fmt.kind) {
    case "names":
      return fmt.names[Number(value)] ?? `?${value}`;
    case "imm":
      return value.toString();
    case "simm":
      return signed.toString();
    case "hex":
      return `0x${value.toString(16)}`;
    case "sdisp":
      return signed < 0n ? `-${(-signed).toString()}` : `+${signed.toString()}`;
    case "pcrel": {
      const base = fmt.fromNext ? ctx.pc + BigInt(d.units) : ctx.pc + BigInt(fmt.bias);
      const target = BigInt.asUintN(ctx.isa.vaddrWidth, base + signed);
      return ctx.symbols?.get(target) ?? `0x${target.toString(16)}`;
    }
  }
}
