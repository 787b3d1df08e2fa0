/**
 * The sampler's dictionary: the constants an instruction's semantics compare against, by width.
 */
import { expect, test } from "vitest";
import { comparedConstants } from "../../src/analysis/dictionary.js";
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
