/**
 * Z3's exception trampolines in WebAssembly (src/analysis/z3-invoke.ts): Z3 starts with them, a
 * C++ exception is caught where Z3 catches it (a check that runs out of resource units, an API
 * misuse), a JavaScript error thrown inside Z3 comes out unchanged, and imports that are not what
 * the trampolines expect leave Z3 as shipped.
 */
import { afterAll, expect, test } from "vitest";
import { runModule, sourceUrl } from "./child-module.js";
import { fastInvokes } from "../../src/analysis/z3-invoke.js";
import { checkSat, oneCheckSolver, shutdownZ3, withFreshZ3, z3Trampolines } from "../../src/analysis/z3.js";

afterAll(async () => {
  await shutdownZ3();
});

test("Z3 runs with its trampolines in WebAssembly; checks that run out of units (Z3 throws and catches inside) leave the context working", async () => {
  await withFreshZ3(async (Z) => {
    expect(z3Trampolines()).toBe("webassembly");
    // x * y = c over 64 bits with both factors above 1: factoring, far beyond 100 units.
    const x = Z.BitVec.const("x", 64), y = Z.BitVec.const("y", 64);
    for (let round = 0; round < 3; round++) {
      const hard = oneCheckSolver(Z);
      hard.set("rlimit", 100);
      hard.add(x.mul(y).eq(Z.BitVec.val(0xfffffffbn * 0xffffffefn + BigInt(round), 64)), x.ugt(Z.BitVec.val(1n, 64)), y.ugt(Z.BitVec.val(1n, 64)));
      expect(checkSat(hard)).toBe("unknown");
      hard.release();
      const easy = oneCheckSolver(Z);
      easy.add(x.add(Z.BitVec.val(1n, 64)).eq(Z.BitVec.val(BigInt(round), 64)));
      expect(checkSat(easy)).toBe("sat");
      easy.release();
    }
    // Misuse reported by Z3 as an error (its API catches the C++ exception), then work as usual.
    expect(() => x.eq(Z.BitVec.const("narrow", 8))).toThrow(/incompatible|sort/i);
    const after = oneCheckSolver(Z);
    after.add(x.eq(Z.BitVec.val(5n, 64)));
    expect(checkSat(after)).toBe("sat");
    after.release();
  });
});

test("a JavaScript error thrown inside Z3 comes out of the check unchanged, not taken for a C++ exception", () => {
  // Z3 reads the clock through JavaScript (performance.now) while it checks with a timeout; a clock
  // that throws makes an error inside Z3's frames. The process is left in no state to go on (Z3 was
  // unwound mid-check), so this runs in a child process that exits at once.
  const z3 = sourceUrl("src/analysis/z3.ts");
  const script = `
    const { checkSat, oneCheckSolver, withFreshZ3, z3Trampolines } = await import(${JSON.stringify(z3)});
    const clock = performance.now;
    await withFreshZ3(async (Z) => {
      const s = oneCheckSolver(Z);
      s.set("timeout", 60000);
      s.add(Z.BitVec.const("x", 8).eq(Z.BitVec.val(3n, 8)));
      const marker = new Error("clock broken on purpose");
      performance.now = () => { throw marker; };
      try {
        console.log(z3Trampolines(), checkSat(s));
      } catch (e) {
        performance.now = clock;
        console.log(z3Trampolines(), e === marker ? "the same error" : String(e));
      }
      process.exit(0);
    });`;
  const child = runModule(script);
  expect(child.stdout).toBe("webassembly the same error\n");
  expect(child.status).toBe(0);
});

test("imports that are not Emscripten's as expected leave Z3 as shipped", () => {
  const throwers = { __cxa_throw: () => undefined, __cxa_rethrow: () => undefined, __resumeException: () => undefined };
  const exportsOk = ["__indirect_function_table", "emscripten_stack_get_current", "_emscripten_stack_restore", "setThrew"];
  const invoke = () => 0;
  expect(fastInvokes({ env: { ...throwers, invoke_ii: invoke } }, exportsOk)).not.toBeNull();
  expect(fastInvokes({ env: { ...throwers } }, exportsOk)).toBeNull(); // no trampolines to replace
  expect(fastInvokes({ env: { ...throwers, invoke_iq: invoke } }, exportsOk)).toBeNull(); // an unknown type letter
  expect(fastInvokes({ env: { invoke_ii: invoke, __cxa_throw: throwers.__cxa_throw } }, exportsOk)).toBeNull(); // a thrower missing
  expect(fastInvokes({ env: { ...throwers, invoke_ii: invoke } }, exportsOk.slice(1))).toBeNull(); // no function table exported
});
