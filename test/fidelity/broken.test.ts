/**
 * The harness can fail: CI's difftest, run on deliberately broken copies of the RISC-V spec, reports
 * each break as a mismatch (and shrinks the program to the instruction at fault).
 */
import { describe, expect, it } from "vitest";
import { riscv32 } from "../../src/fidelity/peers/riscv32.js";
import { bundled, ciEncodings, ciSemantics, peerAvailable } from "./ci.js";

function replaced(text: string, from: string, to: string): string {
  expect(text.includes(from), `the spec no longer contains '${from}'`).toBe(true);
  return text.replace(from, to);
}

describe.skipIf(!peerAvailable(riscv32))("deliberately broken RISC-V specs are caught", () => {
  it("a flipped subtract", () => {
    const isa = bundled("riscv32", (t) => replaced(t, "semantics { x[rd] = x[rs1] - x[rs2]; }", "semantics { x[rd] = x[rs2] - x[rs1]; }"));
    const r = ciSemantics(isa, riscv32);
    expect(r.mismatches.length).toBe(1);
    const m = r.mismatches[0]!;
    expect(m.program.slots.length).toBeLessThanOrEqual(2);
    expect(m.listing.join("\n")).toMatch(/\bsub\b/);
    expect(m.differences.length).toBeGreaterThan(0);
  });

  it("a wrong immediate sign (ADDI zero-extends)", () => {
    const isa = bundled("riscv32", (t) => replaced(t, "semantics { x[rd] = x[rs1] + sext(imm, 32); }", "semantics { x[rd] = x[rs1] + zext(imm, 32); }"));
    const r = ciSemantics(isa, riscv32);
    expect(r.mismatches.length).toBe(1);
    expect(r.mismatches[0]!.listing.join("\n")).toMatch(/\baddi\b/);
  });

  it("swapped register fields in an encoding", () => {
    const isa = bundled("riscv32", (t) => replaced(t, "encoding 0000000 rs2:5 rs1:5 100 rd:5 0110011;", "encoding 0000000 rs1:5 rs2:5 100 rd:5 0110011;"));
    const r = ciEncodings(isa, riscv32);
    expect(r.mismatches.some((m) => m.instruction === "XOR")).toBe(true);
  });
});
