/**
 * Each bundled ISA's problem sets, as the analyzer computed them (docs/analysis.md), pinned: a change
 * to a spec or to the analyzer that moves an instruction in or out of a theorem's problems fails
 * here, and must be explained (in the spec's comments, next to its expectations) before the pins
 * are updated.
 *
 * Cost. pg, pg-flawed and riscv32 are analysed in full. s370, armv7 and x86 take minutes in full,
 * so CI analyses a seeded sample of their instructions (POPEK_SEED, default below; SAMPLE per
 * configuration, problems and non-problems alike) and checks each one's membership in every
 * pinned set; POPEK_ISAS=full (npm run campaign:isas) analyses them in full. The default seed was
 * picked so that the sample is cheap; the campaign covers the rest.
 */
import { availableParallelism } from "node:os";
import { afterAll, describe, expect, test } from "vitest";
import { analyze } from "../../src/analysis/analyze.js";
import { closeWorkerPool } from "../../src/analysis/pool.js";
import { Rng, seedOf } from "../../src/analysis/sample.js";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkSpec } from "../../src/check/check.js";
import { loadSpec } from "../../src/syntax/load.js";

afterAll(async () => {
  await closeWorkerPool();
  await shutdownZ3();
});

interface Pinned {
  readonly vmm: readonly string[];
  /** Theorem 2's problems: Theorem 1's when it fails, else the timing-dependent instructions. */
  readonly recursive: readonly string[];
  readonly hvm: readonly string[];
}

const X86_CLASSIC_VMM = ["PUSHF", "POPF", "PUSH_SREG", "POP_SREG", "MOV_TO_SREG", "MOV_FROM_SREG", "JMP_FAR", "CALL_FAR", "RET_FAR", "IRET",
  "SGDT", "SIDT", "SLDT", "STR", "SMSW", "LAR", "LSL", "VERR", "VERW"];
const X86_UMIP_VMM = X86_CLASSIC_VMM.filter((n) => !["SGDT", "SIDT", "SLDT", "STR", "SMSW"].includes(n));
const X86_CLASSIC_HVM = ["PUSHF", "PUSH_SREG", "POP_SREG", "MOV_TO_SREG", "MOV_FROM_SREG", "JMP_FAR", "CALL_FAR", "RET_FAR", "IRET",
  "SGDT", "SIDT", "SLDT", "STR", "SMSW", "LAR", "VERR", "VERW"];
const ARM_VMM = ["MRS", "MSR", "MSR_IMM", "CPS", "SUBS_PC_LR", "LDM_ERET", "RFE", "SRS", "LDM_USR", "STM_USR"];
const RISCV_COUNTER_READS = ["CSRRS", "CSRRC", "CSRRSI", "CSRRCI"];

const PINNED: Record<string, { readonly full: boolean; readonly configs: Record<string, Pinned> }> = {
  "isas/pg.isa": { full: true, configs: { classic: { vmm: [], recursive: [], hvm: [] } } },
  "isas/pg-flawed.isa": { full: true, configs: { classic: { vmm: ["RETU"], recursive: ["RETU"], hvm: [] } } },
  "isas/riscv32.isa": {
    full: true,
    configs: {
      classic: { vmm: [], recursive: RISCV_COUNTER_READS, hvm: [] },
      counters_trap: { vmm: [], recursive: [], hvm: [] },
    },
  },
  "isas/s370.isa": { full: false, configs: { classic: { vmm: [], recursive: ["STCK"], hvm: [] } } },
  "isas/armv7.isa": { full: false, configs: { classic: { vmm: ARM_VMM, recursive: ARM_VMM, hvm: [] } } },
  "isas/x86.isa": {
    full: false,
    configs: {
      classic: { vmm: X86_CLASSIC_VMM, recursive: X86_CLASSIC_VMM, hvm: X86_CLASSIC_HVM },
      umip: { vmm: X86_UMIP_VMM, recursive: X86_UMIP_VMM, hvm: X86_CLASSIC_HVM.filter((n) => X86_UMIP_VMM.includes(n)) },
    },
  },
};

const FULL = process.env.POPEK_ISAS === "full";
const SEED = process.env.POPEK_SEED ?? "4";
const SAMPLE = 3;
const workers = availableParallelism();
const sorted = (xs: readonly string[]) => [...xs].sort();

/** SAMPLE instructions of an ISA under a configuration, drawn by the seed. */
function sample(names: readonly string[], file: string, config: string): string[] {
  const rng = new Rng(seedOf(`${SEED}/${file}/${config}`));
  const pool = [...names];
  const out: string[] = [];
  while (out.length < SAMPLE && pool.length) out.push(pool.splice(rng.int(pool.length), 1)[0]!);
  return out;
}

for (const [file, { full, configs }] of Object.entries(PINNED)) {
  const isa = checkSpec(loadSpec(file)).isa!;
  describe(file, () => {
    for (const config of isa.configs) {
      const pinned = configs[config.name];
      test(`${config.name}: the problem sets are the pinned ones`, async () => {
        expect(pinned, `no pins for configuration ${config.name}`).toBeDefined();
        const names = isa.instructions.map((i) => i.name);
        for (const n of [...pinned!.vmm, ...pinned!.recursive, ...pinned!.hvm]) expect(names).toContain(n);
        if (full || FULL) {
          const a = await analyze(isa, config, { workers });
          expect(a.internalErrors).toEqual([]);
          expect(sorted(a.theorems.vmm.problems)).toEqual(sorted(pinned!.vmm));
          expect(sorted(a.theorems.recursive.problems)).toEqual(sorted(pinned!.recursive));
          expect(sorted(a.theorems.hvm.problems)).toEqual(sorted(pinned!.hvm));
          for (const t of [a.theorems.vmm, a.theorems.recursive, a.theorems.hvm]) expect(t.holds).not.toBe("inconclusive");
          expect(a.expectations.filter((e) => e.holds !== true)).toEqual([]);
          return;
        }
        const only = sample(names, file, config.name);
        const a = await analyze(isa, config, { workers, only });
        expect(a.internalErrors).toEqual([]);
        const vmmFails = pinned!.vmm.length > 0;
        for (const v of a.instructions) {
          const where = `${v.name} under ${config.name}`;
          expect(v.vmmProblem, `${where}: Theorem 1 problem`).toBe(pinned!.vmm.includes(v.name));
          expect(v.hvmProblem, `${where}: Theorem 3 problem`).toBe(pinned!.hvm.includes(v.name));
          if (!vmmFails) expect(v.timingDependent, `${where}: timing dependent`).toBe(pinned!.recursive.includes(v.name));
        }
      });
    }
  });
}
