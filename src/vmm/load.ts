/**
 * Loads the VMM that `popek vmm generate` writes, so that `popek vmm run` runs exactly the generated
 * code: the TypeScript files are transpiled (TypeScript's transpileModule: types erased, nothing
 * else changed), written to a cache directory named by a hash of their text, and imported.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Contract from "./contract.js";
import type { GeneratedVmm } from "./generate.js";

/** What the generated vmm.ts exports, as the runtime uses it. */
export interface VmmModule {
  readonly reg: Readonly<Record<string, number>>;
  readonly timing: readonly number[];
  readonly TICK_NATIVE: boolean;
  readonly DEPRIVILEGED: readonly number[];
  readonly GUEST_LEVEL: number;
  readonly UNDEFINED_CAUSE: number;
  readonly routines: ReadonlyMap<string, Contract.Routine>;
  readonly problems: ReadonlySet<string>;
  level(s: Contract.State): number;
  translate(s: Contract.State, ctx: Contract.Ctx, va: bigint, access: bigint): bigint;
  tick?: (s: Contract.State, ctx: Contract.Ctx) => void;
  dispatch(vm: GeneratedVm, t: Contract.TrapEvent): "resume" | "halted";
  readonly Allocator: new () => { install(virtual: Contract.State, real: Contract.State): void; collect(real: Contract.State, virtual: Contract.State): void };
  readonly contract: { readonly Trap: typeof Contract.Trap; readonly Halt: typeof Contract.Halt };
}

/** The VM as the generated dispatcher sees it. */
export interface GeneratedVm {
  readonly state: Contract.State;
  patchedAt(pc: bigint): { readonly instruction: string; readonly operands: Contract.Operands; readonly nextPc: bigint } | undefined;
  note(event: "emulated" | "reflected", detail: string): void;
}

/** Transpiles and imports a generated VMM (cached by content). */
export async function loadVmm(generated: GeneratedVmm): Promise<VmmModule> {
  const hash = createHash("sha256");
  for (const [name, text] of [...generated.files].sort()) hash.update(name).update("\0").update(text).update("\0");
  const dir = join(tmpdir(), "popek-vmm", hash.digest("hex").slice(0, 16));
  if (!existsSync(join(dir, "vmm.js"))) {
    mkdirSync(dir, { recursive: true });
    // Loaded here, not with the module: the compiler takes most of a second to load, and every
    // command of the CLI imports this module; only a VMM not transpiled before needs it.
    const { default: ts } = await import("typescript");
    for (const [name, text] of generated.files) {
      const js = ts.transpileModule(text, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
        fileName: name,
      }).outputText;
      writeFileSync(join(dir, name.replace(/\.ts$/, ".js")), js);
    }
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  }
  const vmm = (await import(pathToFileURL(join(dir, "vmm.js")).href)) as Omit<VmmModule, "contract">;
  const contract = (await import(pathToFileURL(join(dir, "contract.js")).href)) as VmmModule["contract"];
  return { ...vmm, contract };
}
