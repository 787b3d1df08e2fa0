/**
 * The equivalence property on Popek and Goldberg's machines: trap-and-emulate is equivalent on the
 * machine where Theorem 1 holds and fails on the flawed one, where the hybrid VMM is equivalent;
 * a VMM broken on purpose is caught and its failure shrunk; several VMs stay isolated; a case saved
 * for replay runs the same again.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkEquivalence } from "../../src/equiv/equivalence.js";
import { checkIsolation } from "../../src/equiv/isolation.js";
import { readReplay, writeReplay } from "../../src/equiv/replay.js";
import { campaignOf, names, run } from "./helpers.js";

afterAll(async () => {
  await shutdownZ3();
});

describe("pg: trap-and-emulate", () => {
  test("400 random guests end as on the bare machine, and they run a good way first", async () => {
    const { campaign } = await campaignOf("pg.isa", "trap", { seed: 11, length: 32 });
    const r = run(campaign, 400);
    expect(r.divergences).toEqual([]);
    expect(r.programs).toBe(400);
    // Every kind of ending happens: traps reflected to the guest, halts, and loops to the step limit.
    const endings = [...r.endings.keys()].join(" | ");
    expect(endings).toMatch(/trap privileged_op/);
    expect(endings).toMatch(/halted/);
    expect(endings).toMatch(/step limit/);
  });
});

describe("pg-flawed: RETU is a problem instruction", () => {
  test("trap mode diverges, shrunk to RETU alone", async () => {
    const { analysis, campaign } = await campaignOf("pg-flawed.isa", "trap", { seed: 1974, length: 32 });
    const r = run(campaign, 400);
    expect(r.divergences.length).toBe(1);
    const d = r.divergences[0]!;
    expect(names(analysis, d.shrunk.slots)).toEqual(["RETU"]);
    expect(d.original.slots.length).toBe(32);
    // The shrunk case still diverges, and the whole state is simpler than the one found.
    expect(checkEquivalence(campaign.target, campaign.layout, d.shrunk).kind).toBe("diverged");
    expect(d.shrunk.data.every((u) => u === 0n)).toBe(true);
  });

  test("the hybrid VMM is equivalent on 400 guests", async () => {
    const { campaign } = await campaignOf("pg-flawed.isa", "hvm", { seed: 1974, length: 32 });
    expect(run(campaign, 400).divergences).toEqual([]);
  });
});

describe("the harness can fail", () => {
  test("a VMM whose GETR routine reads the bound instead of the relocation is caught and shrunk", async () => {
    const edit = (g: Parameters<NonNullable<Parameters<typeof campaignOf>[2]["edit"]>>[0]) => {
      const text = g.files.get("vmm.ts")!;
      const broken = text.replace(/(export function emulate_GETR[^]*?s\.reg\(reg\.)L(, 0\))/, "$1B$2");
      expect(broken).not.toBe(text);
      return { ...g, files: new Map([...g.files, ["vmm.ts", broken]]) };
    };
    const { analysis, campaign } = await campaignOf("pg.isa", "trap", { seed: 5, length: 32, edit });
    const r = run(campaign, 2000);
    expect(r.divergences.length).toBe(1);
    const shrunk = names(analysis, r.divergences[0]!.shrunk.slots);
    expect(shrunk).toContain("GETR");
    expect(shrunk.length).toBeLessThanOrEqual(2);
    // The same seeds pass under the VMM as generated.
    const good = await campaignOf("pg.isa", "trap", { seed: 5, length: 32 });
    expect(good.campaign.diverges(r.divergences[0]!.shrunk)).toBe(false);
  });
});

describe("isolation", () => {
  test.each(["trap", "hvm"] as const)("pg, %s mode: 40 trials of three VMs sharing one memory", async (mode) => {
    const { campaign } = await campaignOf("pg.isa", mode, { seed: 3, length: 24 });
    for (let t = 0; t < 40; t++) {
      const cases = [0, 1, 2].map((k) => campaign.caseAt(1000 + 3 * t + k));
      const c = checkIsolation(campaign.target, campaign.layout, cases, t);
      expect(c.kind === "violated" ? c.problems : [], `trial ${t}`).toEqual([]);
    }
  });

  test("a VMM routine that writes past the end of a VM's memory is caught", async () => {
    // OUT's routine also stores one unit past the guest's 1024 words: on a machine whose memory the
    // VMs share, that is the next VM's first word.
    const edit = (g: Parameters<NonNullable<Parameters<typeof campaignOf>[2]["edit"]>>[0]) => {
      const text = g.files.get("vmm.ts")!;
      const broken = text.replace(/(export function emulate_OUT[^]*?)(s\.emit\()/, "$1s.writeUnit(1024n, 1n);\n  $2");
      expect(broken).not.toBe(text);
      return { ...g, files: new Map([...g.files, ["vmm.ts", broken]]) };
    };
    const { campaign } = await campaignOf("pg.isa", "trap", { seed: 3, length: 24, edit });
    const problems: string[] = [];
    for (let t = 0; t < 100 && problems.length === 0; t++) {
      const c = checkIsolation(campaign.target, campaign.layout, [campaign.caseAt(2 * t), campaign.caseAt(2 * t + 1)], t);
      if (c.kind === "violated") problems.push(...c.problems);
    }
    expect(problems.join("\n")).toMatch(/outside its allocation/);
  });
});

describe("replay", () => {
  test("a saved case reads back identically and diverges again", async () => {
    const { campaign } = await campaignOf("pg-flawed.isa", "trap", { seed: 1974, length: 32 });
    const d = run(campaign, 400).divergences[0]!;
    const path = join(mkdtempSync(join(tmpdir(), "popek-equiv-")), "case.json");
    writeReplay(path, { isa: "pg_flawed", config: "classic", mode: "trap", length: 32, seed: 1974, index: d.index, case: d.shrunk });
    const back = readReplay(path);
    expect(back.case).toEqual(d.shrunk);
    expect(checkEquivalence(campaign.target, campaign.layout, back.case).kind).toBe("diverged");
  });
});
