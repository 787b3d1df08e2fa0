/**
 * Fresh contexts (withFreshZ3) keep their own table of the references the bindings take and drop
 * them all when the context ends, before deleting it. Objects the bindings release themselves (a
 * solver's release) must not be dropped twice, and the next context must work as the first did.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { runModule, sourceUrl } from "./child-module.js";
import { checkSat, oneCheckSolver, provedHere, shutdownZ3, withFreshZ3 } from "../../src/analysis/z3.js";

afterAll(async () => {
  await shutdownZ3();
});

test("contexts with released solvers, models and long chains of referenced terms end cleanly, one after another", async () => {
  for (let round = 0; round < 3; round++) {
    const answer = await withFreshZ3(async (Z) => {
      const x = Z.BitVec.const("x", 16);
      // A chain whose every link a wrapper holds: the shape whose deletion was quadratic.
      const chain = [x];
      for (let i = 0; i < 200; i++) chain.push(chain[chain.length - 1]!.add(Z.BitVec.val(BigInt(i), 16)));
      const released = new Z.Solver();
      released.add(chain[chain.length - 1]!.eq(Z.BitVec.val(7n, 16)));
      expect(await released.check()).toBe("sat");
      released.release();
      const kept = new Z.Solver();
      kept.add(x.eq(Z.BitVec.val(BigInt(round), 16)));
      expect(await kept.check()).toBe("sat");
      return (kept.model().eval(x) as unknown as { value(): bigint }).value();
    });
    expect(answer).toBe(BigInt(round));
  }
});

test("a one-check solver decides, and a claim proved on the spot is one that holds in every model", async () => {
  await withFreshZ3(async (Z) => {
    const x = Z.BitVec.const("x", 8);
    const s = oneCheckSolver(Z);
    s.add(x.mul(Z.BitVec.val(2n, 8)).eq(Z.BitVec.val(3n, 8)));
    expect(checkSat(s)).toBe("unsat"); // 2x is even
    s.release();
    expect(provedHere(Z, Z.Implies(x.eq(Z.BitVec.val(1n, 8)), x.ult(Z.BitVec.val(2n, 8))), 100_000)).toBe(true);
    expect(provedHere(Z, x.ult(Z.BitVec.val(2n, 8)), 100_000)).toBe(false);
  });
});

test("npm install removed the two per-call debugging assertions from z3-solver's glue (scripts/z3-glue.mjs)", () => {
  const glue = readFileSync(join(dirname(createRequire(import.meta.url).resolve("z3-solver")), "z3-built.js"), "utf8");
  expect(glue).not.toContain("JavaScript-side Wasm function table mirror is out of date!");
  expect(glue).toContain("function createExportWrapper(name, nargs) {\n  return (...args) => wasmExports[name](...args);\n}");
});

test("a process that checks with a timeout and shuts Z3 down exits cleanly, printing nothing (regression: a timer thread still loading was reported)", () => {
  // Z3's output goes straight to file descriptor 2, so this runs in a child process.
  const z3 = sourceUrl("src/analysis/z3.ts");
  const script = `
    const { checkSat, oneCheckSolver, shutdownZ3, withFreshZ3 } = await import(${JSON.stringify(z3)});
    const r = await withFreshZ3(async (Z) => {
      const s = oneCheckSolver(Z);
      s.set("timeout", 60000);
      s.add(Z.BitVec.const("x", 8).eq(Z.BitVec.val(3n, 8)));
      return checkSat(s);
    });
    await shutdownZ3();
    console.log(r);`;
  const child = runModule(script);
  expect(child.stderr).toBe("");
  expect(child.stdout).toBe("sat\n");
  expect(child.status).toBe(0);
});
