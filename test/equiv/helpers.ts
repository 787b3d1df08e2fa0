/**
 * Shared by the equivalence tests: a bundled spec's analysis (from the test run's verdicts), its
 * generated VMM (optionally edited, to break it on purpose), and a seeded campaign over it.
 */
import type { Analysis } from "../../src/analysis/analyze.js";
import { Campaign, type RangeResult } from "../../src/equiv/campaign.js";
import { generateVmm, type GeneratedVmm } from "../../src/vmm/generate.js";
import { loadVmm } from "../../src/vmm/load.js";
import type { VmmMode } from "../../src/vmm/runtime/hypervisor.js";
import { analysisOf } from "../vmm/helpers.js";

export { analysisOf };

/**
 * The bundled ISAs whose equivalence tests run: POPEK_EQUIV_ISAS (comma-separated) trims the list
 * on a slow machine (each campaign takes seconds to minutes; the whole-spec analyses they start
 * from are made once per test run, test/setup/analyse-bundled.ts).
 */
export function equivIsaEnabled(name: string): boolean {
  const only = process.env.POPEK_EQUIV_ISAS;
  return !only || only.split(",").map((s) => s.trim()).includes(name);
}

export async function campaignOf(
  spec: string,
  mode: VmmMode,
  options: { seed: number; length: number; edit?: (g: GeneratedVmm) => GeneratedVmm; config?: string },
): Promise<{ analysis: Analysis; campaign: Campaign }> {
  const analysis = await analysisOf(spec, options.config);
  const generated = generateVmm(analysis);
  const vmm = await loadVmm(options.edit ? options.edit(generated) : generated);
  return { analysis, campaign: new Campaign(analysis, { isa: analysis.isa, vmm, mode }, { seed: options.seed, length: options.length }) };
}

/** Runs programs [0, runs) and stops at the first divergence (shrunk). */
export function run(campaign: Campaign, runs: number): RangeResult {
  return campaign.runRange(0, runs, 1);
}

/** Instruction names of a case's program. */
export function names(a: Analysis, slots: readonly { form: { instruction: number } }[]): string[] {
  return slots.map((s) => a.isa.instructions[s.form.instruction]!.name);
}
