/**
 * `popek check` end to end through main(): the verdicts on pg.isa and pg-flawed.isa in every format,
 * with the documented exit codes.
 */
import { describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/load-isa.js";

async function popek(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), color: false };
  const code = await main(["node", "popek", ...args], io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("text", () => {
  test("pg.isa: every theorem holds, every expectation holds, exit 0", async () => {
    const r = await popek("check", "isas/pg.isa");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Theorem 1 \(VMM\) holds/);
    expect(r.out).toMatch(/Theorem 2 \(recursive VMM\) holds/);
    expect(r.out).toMatch(/Theorem 3 \(hybrid VMM\) holds/);
    expect(r.out).toMatch(/expectations: 6 of 6 hold/);
    expect(r.out).toMatch(/^\s+LPSW\s+yes\s+yes\s+no\s+no\s+privileged$/m);
  });

  test("pg-flawed.isa: Theorem 1 fails naming exactly RETU, with a replayed witness", async () => {
    const r = await popek("check", "isas/pg-flawed.isa");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Theorem 1 \(VMM\) FAILS: RETU \(/);
    expect(r.out).toMatch(/Theorem 3 \(hybrid VMM\) holds/);
    expect(r.out).toMatch(/RETU: control sensitive, yet the same state at the guest level completes.*\(replayed\)/);
  });

  test("--explain prints the witness states and what changed", async () => {
    const r = await popek("check", "isas/pg-flawed.isa", "--explain", "RETU");
    expect(r.out).toMatch(/control-sensitive: completes and changes control state/);
    expect(r.out).toMatch(/state s: level supervisor/);
    expect(r.out).toMatch(/M: 0x0 → 0x1/);
  });

  test("--require vmm fails on pg-flawed (exit 1) and holds on pg (exit 0)", async () => {
    expect((await popek("check", "isas/pg-flawed.isa", "--require", "vmm")).code).toBe(1);
    expect((await popek("check", "isas/pg.isa", "--require", "vmm", "recursive", "hvm")).code).toBe(0);
    expect((await popek("check", "isas/pg-flawed.isa", "--require", "hvm")).code).toBe(0);
  });
});

describe("json", () => {
  test("the documented schema, with tri-state values and witnesses", async () => {
    const r = await popek("check", "isas/pg-flawed.isa", "--format", "json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ schema: 1, isa: "pg_flawed", file: "isas/pg-flawed.isa", config: "classic" });
    expect(doc.theorems.vmm).toMatchObject({ holds: false, problems: ["RETU"] });
    expect(doc.theorems.hvm).toMatchObject({ holds: true, problems: [] });
    const retu = doc.instructions.find((i: { name: string }) => i.name === "RETU");
    expect(retu).toMatchObject({ privileged: false, controlSensitive: true, userSensitive: false, class: "control sensitive" });
    expect(retu.evidence.some((e: { claim: string; replayed: boolean }) => e.claim === "problem" && e.replayed)).toBe(true);
    expect(doc.expectations.every((e: { holds: unknown }) => e.holds === true)).toBe(true);
    for (const i of doc.instructions) {
      for (const k of ["privileged", "controlSensitive", "behaviorSensitive", "locationSensitive", "modeSensitive", "userSensitive"]) {
        expect([true, false, "inconclusive"]).toContain(i[k]);
      }
    }
  });

  test("several files give an array", async () => {
    const r = await popek("check", "isas/pg.isa", "isas/pg-flawed.isa", "--format", "json");
    const docs = JSON.parse(r.out);
    expect(docs.map((d: { isa: string }) => d.isa)).toEqual(["pg", "pg_flawed"]);
  });

  test("with --workers 1, several files are analysed one after another in this thread, with the same verdicts", async () => {
    // Regression: the analyses were all started at once, and one thread's Z3 refused a second check.
    const one = await popek("check", "isas/pg.isa", "isas/pg-flawed.isa", "--format", "json", "--workers", "1");
    const two = await popek("check", "isas/pg.isa", "isas/pg-flawed.isa", "--format", "json", "--workers", "2");
    expect(one.code).toBe(0);
    const verdicts = (out: string) => JSON.parse(out).map((d: { theorems: unknown; instructions: { name: string; class: string }[] }) =>
      [d.theorems, d.instructions.map((i) => `${i.name} ${i.class}`)]);
    expect(verdicts(one.out)).toEqual(verdicts(two.out));
  });
});

describe("sarif", () => {
  test("SARIF 2.1.0 with a located result for the problem instruction", async () => {
    const r = await popek("check", "isas/pg-flawed.isa", "--format", "sarif");
    const sarif = JSON.parse(r.out);
    expect(sarif.version).toBe("2.1.0");
    const results = sarif.runs[0].results;
    const vmm = results.filter((x: { ruleId: string }) => x.ruleId === "POPEK-VMM");
    expect(vmm).toHaveLength(1);
    expect(vmm[0].message.text).toMatch(/^RETU:/);
    const loc = vmm[0].locations[0].physicalLocation;
    expect(loc.artifactLocation.uri).toBe("isas/pg-flawed.isa");
    expect(loc.region.startLine).toBeGreaterThan(1);
    expect(sarif.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toContain("POPEK-VMM");
  });

  test("pg.isa has no results", async () => {
    const sarif = JSON.parse((await popek("check", "isas/pg.isa", "--format", "sarif")).out);
    expect(sarif.runs[0].results).toEqual([]);
  });
});

describe("exit codes and errors", () => {
  test("a failed expectation is a located message and exit 1", async () => {
    const { writeFileSync, mkdtempSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "popek-"));
    const text = readFileSync("isas/pg-flawed.isa", "utf8").replace('include "pg/machine.isa";', `include "${process.cwd()}/isas/pg/machine.isa";`).replace("expect vmm fails [RETU];", "expect vmm holds;");
    writeFileSync(join(dir, "wrong.isa"), text);
    const r = await popek("check", join(dir, "wrong.isa"));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/wrong\.isa:\d+:\d+: error A0801: expect vmm holds does not hold: vmm fails \[RETU\]/);
  });

  test("a spec error exits 2 with a coded, located diagnostic and no stack trace", async () => {
    const r = await popek("check", "test/check/cases/E0201-unknown-name.isa");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/E0201/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  test("a usage error exits 2", async () => {
    expect((await popek("check", "isas/pg.isa", "--format", "xml")).code).toBe(2);
    expect((await popek("check", "isas/pg.isa", "--config", "nope")).code).toBe(2);
  });

  test("a timeout or a spent resource limit makes the verdict inconclusive (exit 3), never a proof", async () => {
    const { writeFileSync, mkdtempSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "popek-"));
    // Control sensitivity of HASH means factoring a 64-bit product of two 32-bit primes: far beyond
    // 1 ms per query. (A multiplicative inverse was flaky: Z3's simplifier may invert it at once.)
    // The resource limit is a backstop for a deadline Z3's timer thread misses now and then.
    const text = readFileSync("isas/pg.isa", "utf8")
      .replace('include "pg/machine.isa";', `include "${process.cwd()}/isas/pg/machine.isa";\nregister Y: bits(64) user;`)
      .replace("config classic", `instruction HASH { encoding 011110 00 00 000000000000 0000000000; syntax "hash";
  semantics { if zext(Y[31:0], 64) * zext(Y[63:32], 64) == 0x99C72B1BC45DDB7F && Y[31:0] != 1 && Y[63:32] != 1 { L = 0; } } }
config classic`);
    writeFileSync(join(dir, "hard.isa"), text);
    const r = await popek("check", join(dir, "hard.isa"), "--timeout", "1", "--rlimit", "1000000");
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/Theorem 1 \(VMM\) INCONCLUSIVE: could not decide .*HASH/);
    // The same with the resource limit spent instead; the report says which questions it left
    // open and which option to raise.
    const spent = await popek("check", join(dir, "hard.isa"), "--rlimit", "1000");
    expect(spent.code).toBe(3);
    expect(spent.out).toMatch(/Theorem 1 \(VMM\) INCONCLUSIVE: could not decide .*HASH/);
    expect(spent.out).toMatch(/HASH: undecided \(out of resource units\): control sensitive; .*a larger --rlimit may decide them/);
    const json = JSON.parse((await popek("check", join(dir, "hard.isa"), "--rlimit", "1000", "--format", "json")).out);
    expect(json.instructions.find((i: { name: string }) => i.name === "HASH").undecided).toContainEqual({ question: "control sensitive", limit: "resources", reason: "max. resource limit exceeded" });
  });
});
