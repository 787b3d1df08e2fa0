/**
 * `popek equiv` end to end through main(): a clean campaign (exit 0), a divergence with its full
 * report and a replay file that reproduces it (exit 1), and usage errors (exit 2).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { equivCommand, type EquivOptions } from "../../src/cli/commands/equiv.js";
import type { Io } from "../../src/cli/load-isa.js";
import { main } from "../../src/cli/main.js";

function io(): Io & { text: () => { out: string; err: string } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => out.push(t), err: (t) => err.push(t), color: false, text: () => ({ out: out.join("\n"), err: err.join("\n") }) };
}

const base: EquivOptions = { mode: "trap", executor: "interp", runs: 300, seed: 1974, length: 32, workers: 1, vms: 2, cacheDir: null };

describe("popek equiv", () => {
  test.each(["interp", "engine"] as const)("pg in trap mode, %s executor: every program agrees and isolation holds (exit 0)", async (executor) => {
    const o = io();
    const code = await equivCommand("isas/pg.isa", { ...base, executor }, o);
    const { out, err } = o.text();
    expect(err).toBe("");
    expect(out).toMatch(new RegExp(`^equiv pg \\(configuration 'classic'\\), trap mode, ${executor} executor: 300 programs of 32 instructions, seed 1974`));
    expect(out).toMatch(/^equivalence: 300 programs run \(9600 instructions\) in [\d.]+ s, every one ended as on the bare machine/m);
    expect(out).toMatch(/^isolation: 18 trials of 2 VMs on one machine: no guest/m);
    expect(code).toBe(0);
  });

  test("pg-flawed in trap mode: the shrunk divergence is reported in full and replays (exit 1)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "popek-equiv-cli-"));
    const o = io();
    const code = await equivCommand("isas/pg-flawed.isa", { ...base, vms: 1, replayDir: dir }, o);
    const { out } = o.text();
    expect(code).toBe(1);
    expect(out).toMatch(/^DIVERGENCE: program \d+ of seed 1974 \(its own seed \d+\), shrunk from 32 to 1 instruction\(s\)$/m);
    expect(out).toMatch(/^ {4}0x8 +[0-9a-f]{8} +retu \d+$/m);
    expect(out).toMatch(/^ {2}initial state:\n {4}privilege level supervisor$/m);
    expect(out).toMatch(/^ {2}first difference: /m);
    expect(out).toMatch(/^ {2}final states:\n {4} +bare machine +under the VMM$/m);
    const replay = /--replay (\S+)$/m.exec(out)![1]!;
    expect(replay.startsWith(dir)).toBe(true);

    const again = io();
    expect(await main(["node", "popek", "equiv", "isas/pg-flawed.isa", "--no-cache", "--replay", replay], again)).toBe(1);
    expect(again.text().out).toMatch(/^DIVERGENCE$/m);
    const hvm = io();
    expect(await main(["node", "popek", "equiv", "isas/pg-flawed.isa", "--no-cache", "--mode", "hvm", "--replay", replay], hvm)).toBe(0);
    expect(hvm.text().out).toMatch(/the program ends as on the bare machine/);
  });

  test("usage errors exit 2", async () => {
    const o = io();
    expect(await main(["node", "popek", "equiv", "isas/pg.isa", "--mode", "fast"], o)).toBe(2);
    const p = io();
    expect(await main(["node", "popek", "equiv", "isas/pg.isa", "--replay", "/nonexistent/case.json"], p)).toBe(2);
    expect(p.text().err).toMatch(/cannot read the replay file/);
  });
});
