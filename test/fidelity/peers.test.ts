/**
 * What the peers leave out, and why: each restriction stands for a documented difference, and the
 * spec's own behaviour there is what the manual says.
 */
import { describe, expect, it } from "vitest";
import { Machine } from "../../src/machine/machine.js";
import { MachineState } from "../../src/machine/state.js";
import { assemble } from "../../src/machine/assembler.js";
import { armv7 } from "../../src/fidelity/peers/armv7.js";
import { x86 } from "../../src/fidelity/peers/x86.js";
import { PopekSide } from "../../src/fidelity/on-popek.js";
import { bundled } from "./ci.js";

describe("x86: RET imm16 (found by the difftest: qemu-i386 sign-extends imm16)", () => {
  it("the spec releases imm16 bytes zero-extended, as the SDM says (Vol 2B RET)", () => {
    const isa = bundled("x86");
    const side = new PopekSide(isa, x86);
    const asm = assemble(isa, ".org 0x11000\nret 0xfff6\n");
    expect(asm.errors).toEqual([]);
    const code = asm.segments[0]!.units;
    const state: MachineState = side.initialState({ init: [0n, 0n, 0n, 0n, 0x20800n, 0n, 0n, 0n, 0n], data: new Uint8Array(4096), slots: [] }, code);
    const esp = isa.state.find((e) => e.name === "R")!.id;
    const m = new Machine(isa, state);
    m.step(() => "stop");
    expect(m.state.reg(esp, 4)).toBe(0x20800n + 4n + 0xfff6n);
  });

  it("the peer leaves out exactly the forms qemu gets wrong", () => {
    expect(x86.allowsForm("RET", new Map([["iw", 0x7fffn]]))).toBe(true);
    expect(x86.allowsForm("RET", new Map([["iw", 0x8000n]]))).toBe(false);
    expect(x86.allowsForm("ADD", new Map())).toBe(true);
  });
});

describe("armv7: MSR to the CPSR's x byte (E, not modelled)", () => {
  it("is left out, and only that", () => {
    expect(armv7.allowsForm("MSR", new Map([["pm", 0b00010n]]))).toBe(false);
    expect(armv7.allowsForm("MSR_IMM", new Map([["pm", 0b01011n]]))).toBe(false);
    expect(armv7.allowsForm("MSR", new Map([["pm", 0b01001n]]))).toBe(true);
    expect(armv7.allowsForm("MSR", new Map([["pm", 0b10010n]]))).toBe(true); // SPSR
  });
});
