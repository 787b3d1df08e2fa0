/**
 * The sampler's dictionary: the constants an instruction's semantics compare against, by width.
 */
import { expect, test } from "vitest";
import { comparedConstants, comparedRegisterFields } from "../../src/analysis/dictionary.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";

test("the constants compared with a CSR number, through the functions the instruction calls, and neither zero nor all-ones", () => {
  const isa = checkSpec(loadSpec("isas/riscv32.isa")).isa!;
  const csrrw = isa.instructions.find((i) => i.name === "CSRRW")!;
  const d = comparedConstants(isa, csrrw.body);
  const twelve = d.get(12) ?? [];
  for (const csr of [0x300n, 0x305n, 0x180n, 0xc00n]) expect(twelve).toContain(csr);
  for (const values of d.values()) expect(values).not.toContain(0n);
  expect(twelve).not.toContain(0xfffn);
  // RISC-V's "rs1 == x0" leaves nothing for a 5-bit register field: it is drawn as before.
  expect(d.get(5) ?? []).toEqual([]);
});

test("register fields compared with constants, followed through slices, conditionals (a banked register's banks), locals and function parameters", () => {
  const isa = checkSpec(loadSpec("isas/armv7.isa")).isa!;
  const ldm = isa.instructions.find((i) => i.name === "LDM_ERET")!;
  const fields = comparedRegisterFields(isa, ldm.body);
  // cpsr_write(SPSR, ...) calls bad_mode(value[4:0]): every bank of SPSR, bits 4:0, the seven modes.
  for (const bank of ["SPSR_svc", "SPSR_fiq"]) {
    const id = isa.state.find((e) => e.name === bank)!.id;
    const mode = fields.get(id)?.find((f) => f.lo === 0 && f.width === 5);
    expect(mode?.values.slice().sort((x, y) => Number(x - y))).toEqual([0x10n, 0x11n, 0x12n, 0x13n, 0x17n, 0x1bn, 0x1fn]);
  }
});
