/**
 * `popek equiv FILE.isa [--mode trap|patch|hvm] [--runs N] [--seed S] [--length L] [--workers W]
 * [--vms N] [--replay PATH]`: Popek and Goldberg's equivalence property over random guests - each
 * runs on the bare machine and under the generated VMM, and must end in the same state as the
 * guest sees it - and resource control over groups of VMs sharing one machine. A divergence is
 * shrunk, printed in full and saved for --replay. Exit 0 when every program agreed and isolation
 * held, 1 otherwise.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Analysis } from "../../analysis/analyze.js";
import { Decoder } from "../../machine/decoder.js";
import { Campaign, type RangeResult } from "../../equiv/campaign.js";
import { checkEquivalence } from "../../equiv/equivalence.js";
import { checkIsolation } from "../../equiv/isolation.js";
import { guestLayout } from "../../equiv/layout.js";
import { runPool } from "../../equiv/pool.js";
import { readReplay, writeReplay, type ReplayFile } from "../../equiv/replay.js";
import { formatDivergence } from "../../equiv/report.js";
import type { VmmTarget } from "../../equiv/run.js";
import { generateVmm } from "../../vmm/generate.js";
import { loadVmm } from "../../vmm/load.js";
import type { ExecutorKind } from "../../vmm/runtime/executor.js";
import type { VmmMode } from "../../vmm/runtime/hypervisor.js";
import { EXIT, type Io } from "../load-isa.js";
import { analysisFor, type VmmCommonOptions } from "./vmm.js";

export interface EquivOptions extends VmmCommonOptions {
  readonly mode: VmmMode;
  /** The VMM's direct executor under test. */
  readonly executor: ExecutorKind;
  readonly runs: number;
  readonly seed: number;
  readonly length: number;
  readonly workers: number;
  /** VMs per isolation trial (1: no isolation trials). */
  readonly vms: number;
  readonly replay?: string;
  /** Where replay files go (default: the system's temporary directory). */
  readonly replayDir?: string;
  /** A progress line on a terminal (the CLI passes stderr when it is one). */
  readonly progress?: (line: string | null) => void;
}

export async function equivCommand(specFile: string, options: EquivOptions, io: Io): Promise<number> {
  let replay: ReplayFile | null = null;
  if (options.replay) {
    try {
      replay = readReplay(options.replay);
    } catch (e) {
      io.err(`error: ${(e as Error).message}`);
      return EXIT.specError;
    }
  }
  const r = await analysisFor(specFile, { ...options, config: options.config ?? replay?.config }, io);
  if ("code" in r) return r.code;
  const { analysis } = r;
  const vmm = await loadVmm(generateVmm(analysis));
  const target: VmmTarget = { isa: analysis.isa, vmm, mode: options.mode, executor: options.executor };
  if (replay) return replayCommand(specFile, analysis, target, replay, options, io);

  const { isa, config } = analysis;
  const problems = analysis.theorems.vmm.problems;
  io.out(`equiv ${isa.name} (configuration '${config.name}'), ${options.mode} mode, ${options.executor} executor: ${options.runs} programs of ${options.length} instructions, seed ${options.seed}, ${options.workers} worker(s)`);
  io.out(`  problem instructions (Theorem 1): ${problems.join(" ") || "none"}`);
  const started = performance.now();
  const result = await runPool(analysis, vmm, target, {
    runs: options.runs, seed: options.seed, length: options.length, workers: options.workers, maxDivergences: 1,
    onProgress: options.progress && ((done, found) => options.progress!(progressLine(done, options.runs, found, started))),
  });
  options.progress?.(null);
  const seconds = (performance.now() - started) / 1000;
  let ok = summary(result, seconds, options, io);

  const campaign = new Campaign(analysis, target, options);
  const decoder = new Decoder(isa);
  for (const d of result.divergences) {
    const checked = checkEquivalence(target, campaign.layout, d.shrunk);
    if (checked.kind !== "diverged") {
      io.err(`popek: internal error: program ${d.index} diverged in the campaign but not when run again`);
      return EXIT.internal;
    }
    const path = join(options.replayDir ?? tmpdir(), `popek-equiv-${isa.name}-${options.mode}-${options.seed}-${d.index}.json`);
    writeReplay(path, { isa: isa.name, config: config.name, mode: options.mode, executor: options.executor, length: options.length, seed: options.seed, index: d.index, case: d.shrunk });
    io.out("");
    io.out(
      formatDivergence({
        title: `DIVERGENCE: program ${d.index} of seed ${options.seed} (its own seed ${d.programSeed}), shrunk from ${d.original.slots.length} to ${d.shrunk.slots.length} instruction(s)`,
        isa, decoder, layout: campaign.layout, c: d.shrunk, checked,
        replay: `popek equiv ${specFile} --config ${config.name} --mode ${options.mode} --executor ${options.executor} --replay ${path}`,
      }).join("\n"),
    );
  }

  if (options.vms >= 2) ok = isolation(campaign, target, options, io) && ok;
  return ok ? EXIT.ok : EXIT.failed;
}

function progressLine(done: number, runs: number, found: number, started: number): string {
  const width = 30;
  const filled = Math.round((done / runs) * width);
  const rate = done / Math.max((performance.now() - started) / 1000, 1e-9);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${runs} programs, ${rate.toFixed(0)}/s, ${found} divergence(s)`;
}

function summary(r: RangeResult, seconds: number, options: EquivOptions, io: Io): boolean {
  const endings = [...r.endings].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ");
  const rate = (r.programs + r.unusable) / Math.max(seconds, 1e-9);
  // A campaign that stopped at a divergence spent its time shrinking it: no rate then.
  const verdict = r.divergences.length ? `${r.divergences.length} diverged (stopped at the first, shrunk)` : `every one ended as on the bare machine; ${rate.toFixed(0)} programs/s`;
  io.out(`equivalence: ${r.programs} programs run (${r.instructions} instructions) in ${seconds.toFixed(1)} s, ${verdict}${r.unusable ? `; ${r.unusable} unusable` : ""}`);
  io.out(`  how the bare machine's runs ended: ${endings || "(none)"}`);
  void options;
  return r.divergences.length === 0;
}

function isolation(campaign: Campaign, target: VmmTarget, options: EquivOptions, io: Io): boolean {
  const trials = Math.max(1, Math.floor(options.runs / 16));
  let violated = 0;
  let unusable = 0;
  for (let t = 0; t < trials; t++) {
    const first = options.runs + t * options.vms;
    const cases = Array.from({ length: options.vms }, (_, k) => campaign.caseAt(first + k));
    const c = checkIsolation(target, campaign.layout, cases, options.seed + t);
    if (c.kind === "unusable") unusable++;
    if (c.kind !== "violated") continue;
    violated++;
    if (violated === 1) {
      io.out(`ISOLATION VIOLATED in trial ${t} (programs ${first}..${first + options.vms - 1} of seed ${options.seed}):`);
      for (const p of c.problems.slice(0, 10)) io.out(`  ${p}`);
      if (c.problems.length > 10) io.out(`  ... and ${c.problems.length - 10} more`);
    }
  }
  io.out(
    violated
      ? `isolation: ${violated} of ${trials} trials of ${options.vms} VMs on one machine violated it`
      : `isolation: ${trials - unusable} trials of ${options.vms} VMs on one machine: no guest read or wrote outside its allocation, changed the VMM's memory or tables, or ended otherwise than alone`,
  );
  return violated === 0;
}

function replayCommand(specFile: string, analysis: Analysis, target: VmmTarget, replay: ReplayFile, options: EquivOptions, io: Io): number {
  const { isa } = analysis;
  if (replay.isa !== isa.name) {
    io.err(`error: ${options.replay} is a case for '${replay.isa}', not '${isa.name}'`);
    return EXIT.specError;
  }
  const layout = guestLayout(isa, replay.length);
  const checked = checkEquivalence(target, layout, replay.case);
  io.out(`equiv ${isa.name} (configuration '${analysis.config.name}'), ${target.mode} mode, ${target.executor} executor: replaying ${options.replay} (program ${replay.index} of seed ${replay.seed}, found in ${replay.mode} mode)`);
  if (checked.kind === "unusable") {
    io.err(`error: the case cannot be run: ${checked.reason}`);
    return EXIT.specError;
  }
  if (checked.kind === "equal") {
    io.out(`the program ends as on the bare machine`);
    return EXIT.ok;
  }
  io.out(formatDivergence({ title: "DIVERGENCE", isa, decoder: new Decoder(isa), layout, c: replay.case, checked, replay: `popek equiv ${specFile} --mode ${target.mode} --replay ${options.replay}` }).join("\n"));
  return EXIT.failed;
}
