/**
 * `popek vmm generate FILE.isa [--config NAME] -o DIR` writes the VMM for a spec.
 * `popek vmm run FILE.isa GUEST.s [--mode trap|patch|hvm] [--vms N] [--nested K] [--executor engine|interp]` runs a guest on
 * the bare machine and under that VMM, and prints whether each VM ended in the same state, with the
 * VMM's statistics.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { analyze, type Analysis } from "../../analysis/analyze.js";
import { AnalysisCache } from "../../analysis/cache.js";
import { shutdownZ3 } from "../../analysis/z3.js";
import type * as IR from "../../ir/ir.js";
import { generateVmm } from "../../vmm/generate.js";
import type { ExecutorKind } from "../../vmm/runtime/executor.js";
import type { VmmMode } from "../../vmm/runtime/hypervisor.js";
import { directRatio, type VmStats } from "../../vmm/runtime/stats.js";
import { runSession } from "../../vmm/session.js";
import { EXIT, loadIsa, type Io } from "../load-isa.js";
import { assembleFile } from "./program.js";

export interface VmmCommonOptions {
  readonly config?: string;
  readonly cacheDir: string | null;
}

export async function analysisFor(specFile: string, options: VmmCommonOptions, io: Io): Promise<{ analysis: Analysis } | { code: number }> {
  const { isa } = loadIsa(specFile, io, { quietWarnings: true });
  if (!isa) return { code: EXIT.specError };
  const config = pickConfig(isa, options.config, io);
  if (!config) return { code: EXIT.specError };
  try {
    const analysis = await analyze(isa, config, { cache: options.cacheDir ? new AnalysisCache(options.cacheDir) : undefined });
    if (analysis.internalErrors.length) {
      for (const e of analysis.internalErrors) io.err(`popek: internal error: ${e}`);
      return { code: EXIT.internal };
    }
    return { analysis };
  } finally {
    await shutdownZ3();
  }
}

function pickConfig(isa: IR.Isa, name: string | undefined, io: Io): IR.GuestConfig | null {
  if (!name) return isa.configs[0]!;
  const c = isa.configs.find((x) => x.name === name);
  if (!c) io.err(`error: no configuration '${name}' (configurations: ${isa.configs.map((x) => x.name).join(", ")})`);
  return c ?? null;
}

export async function vmmGenerateCommand(specFile: string, options: VmmCommonOptions & { readonly out: string }, io: Io): Promise<number> {
  const r = await analysisFor(specFile, options, io);
  if ("code" in r) return r.code;
  const vmm = generateVmm(r.analysis);
  mkdirSync(options.out, { recursive: true });
  for (const [name, text] of vmm.files) writeFileSync(join(options.out, name), text);
  io.out(`${options.out}: a VMM for ${r.analysis.isa.name} (configuration '${r.analysis.config.name}'): ${[...vmm.files.keys()].join(", ")}`);
  for (const reason of ["privileged", "problem", "guarded"] as const) {
    const names = vmm.routines.filter((x) => x.reason === reason).map((x) => x.name);
    if (names.length) io.out(`  ${reason.padEnd(10)} ${names.join(" ")}`);
  }
  return EXIT.ok;
}

export interface VmmRunOptions extends VmmCommonOptions {
  readonly mode: VmmMode;
  readonly vms: number;
  readonly nested: number;
  readonly max: number;
  readonly executor?: ExecutorKind;
}

export async function vmmRunCommand(specFile: string, guestFile: string, options: VmmRunOptions, io: Io): Promise<number> {
  const r = await analysisFor(specFile, options, io);
  if ("code" in r) return r.code;
  const { analysis } = r;
  const program = assembleFile(analysis.isa, guestFile, io);
  if (!program) return EXIT.specError;
  const theorem = analysis.theorems.vmm.holds;
  if (options.mode === "trap" && theorem !== true) {
    io.err(`note: Theorem 1 does not hold for ${analysis.isa.name} (problems: ${analysis.theorems.vmm.problems.join(", ")}); trap mode runs them directly anyway — use --mode patch`);
  }
  const s = await runSession(analysis, program, { mode: options.mode, vms: options.vms, nested: options.nested, maxSteps: options.max, executor: options.executor });
  io.out(`bare machine  ${s.bare.status} after ${s.bare.steps} steps; output ${s.bare.state.output.join(" ") || "(none)"}`);
  const executor = s.guests[0]?.vm.executor.kind ?? options.executor ?? "engine";
  io.out(`VMM           ${options.mode} mode, ${options.vms} VM(s), ${options.nested} level(s), direct execution on the ${executor === "engine" ? "engine" : "interpreter"}; problem instructions: ${[...s.vmm.problems].join(" ") || "none"}`);
  let allEqual = true;
  for (const g of s.guests) {
    const st = g.vm.stats;
    const equal = g.differences.length === 0;
    allEqual &&= equal;
    io.out(`VM ${g.vm.id}          ${g.vm.halted ? "halted" : "stopped"} after ${g.vm.steps} steps; output ${g.vm.virtual.output.join(" ") || "(none)"}; ${equal ? "same final state as the bare machine" : `DIFFERS from the bare machine in ${g.differences.length} place(s)`}`);
    for (const d of g.differences.slice(0, 8)) io.out(`                ${d}`);
    io.out(formatStats(st));
  }
  s.levels.slice(0, -1).forEach((_, i) => io.out(`level ${i}       traps passed up to the VMM above: ${formatCounts(s.levels[i + 1]!.host.passedThrough)}`));
  return allEqual ? EXIT.ok : EXIT.failed;
}

function formatCounts(m: ReadonlyMap<string, number>): string {
  return m.size ? [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ") : "none";
}

export function formatStats(st: VmStats): string {
  const lines = [
    `                direct ${st.direct}, emulated ${st.emulated}, interpreted ${st.interpreted} (${(directRatio(st) * 100).toFixed(2)}% direct)`,
    `                traps: ${formatCounts(st.traps)}`,
    `                reflected to the guest: ${formatCounts(st.reflected)}`,
    `                interpreter routines: ${formatCounts(st.routines)}`,
  ];
  if (st.unpatched.size) lines.push(`                problem instructions run directly, unpatched: ${formatCounts(st.unpatched)}`);
  // The engine patches inside its own block cache: it counts patches and code writes, not blocks.
  if (!st.blocks && (st.patched || st.invalidated)) lines.push(`                patcher (in the engine's block cache): ${st.patched} instructions patched, ${st.invalidated} writes into translated code`);
  if (st.blocks) lines.push(`                patcher: ${st.blocks} blocks scanned, ${st.patched} instructions patched, ${st.cacheHits} cache hits, ${st.chained} chained transitions, ${st.invalidated} invalidated`);
  return lines.join("\n");
}
