/**
 * `popek difftest` end to end through main(): a short run against the default peer, the choice of
 * peer, and the exit codes.
 */
import { describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/load-isa.js";
import { riscv32 } from "../../src/fidelity/peers/riscv32.js";
import { peerAvailable } from "../fidelity/ci.js";

async function popek(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), color: false };
  const code = await main(["node", "popek", ...args], io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("difftest", () => {
  test.skipIf(!peerAvailable(riscv32))("riscv32 against its default peer: both checks, exit 0", async () => {
    const r = await popek("difftest", "isas/riscv32.isa", "--runs", "20", "--length", "6", "--seed", "3");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^difftest riscv32 against qemu-riscv32/);
    expect(r.out).toMatch(/^encodings: 20 forms, 0 mismatches/m);
    expect(r.out).toMatch(/^semantics: \d+ programs of 6 instructions, 0 mismatches/m);
  });

  test("a peer of another ISA is a usage error (exit 2)", async () => {
    const r = await popek("difftest", "isas/riscv32.isa", "--against", "qemu-arm");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/implements 'armv7', not 'riscv32'/);
  });

  test("an ISA without a peer is a usage error (exit 2)", async () => {
    const r = await popek("difftest", "isas/pg.isa");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no peer is known for ISA 'pg'/);
  });
});
