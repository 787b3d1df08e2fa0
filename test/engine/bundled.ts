/** The bundled ISAs, checked once per test file. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSpec } from "../../src/check/check.js";
import type * as IR from "../../src/ir/ir.js";
import { loadSpec } from "../../src/syntax/load.js";

const ISAS = resolve(dirname(fileURLToPath(import.meta.url)), "../../isas");

export const BUNDLED = ["pg", "s370", "riscv32", "x86", "armv7"] as const;

const cache = new Map<string, IR.Isa>();

/** The checked IR of isas/<name>.isa. */
export function bundled(name: string): IR.Isa {
  if (!cache.has(name)) {
    const checked = checkSpec(loadSpec(join(ISAS, `${name}.isa`)));
    const errors = checked.diagnostics.items.filter((d) => d.severity === "error");
    if (errors.length || !checked.isa) throw new Error(`${name}: spec errors`);
    cache.set(name, checked.isa);
  }
  return cache.get(name)!;
}
