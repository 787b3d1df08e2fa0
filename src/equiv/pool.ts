/**
 * Runs an equivalence campaign over programs [0, runs): in this thread, or on worker threads that
 * each take the next range of program indices as they finish the last one. Program n is the same
 * wherever it runs (campaign.ts), so the result does not depend on the number of workers, except
 * which divergences are found first when the campaign stops early.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Analysis } from "../analysis/analyze.js";
import type { VmmModule } from "../vmm/load.js";
import type { ExecutorKind } from "../vmm/runtime/executor.js";
import type { VmmMode } from "../vmm/runtime/hypervisor.js";
import { Campaign, emptyResult, mergeResult, type RangeResult } from "./campaign.js";

export type FromPool = { readonly kind: "range"; readonly from: number; readonly to: number; readonly maxDivergences: number } | { readonly kind: "stop" };
export type ToPool =
  | { readonly kind: "ready" }
  | { readonly kind: "progress"; readonly done: number }
  | { readonly kind: "range"; readonly result: RangeResult; readonly done: number };

export interface PoolOptions {
  readonly runs: number;
  readonly seed: number;
  readonly length: number;
  readonly workers: number;
  /** Stop once this many divergences are found (each is shrunk). */
  readonly maxDivergences: number;
  readonly onProgress?: (done: number, divergences: number) => void;
}

/** The worker's compiled module, when popek runs from its build (not from TypeScript sources). */
function workerFile(): URL | null {
  const url = new URL("./worker.js", import.meta.url);
  return import.meta.url.endsWith(".js") && existsSync(fileURLToPath(url)) ? url : null;
}

function chunkSize(runs: number, workers: number): number {
  return Math.max(16, Math.min(1000, Math.ceil(runs / (workers * 8))));
}

/** How the VMM under test runs: its mode and direct executor (see VmmTarget). */
export interface PoolTarget {
  readonly mode: VmmMode;
  readonly executor?: ExecutorKind;
}

export async function runPool(analysis: Analysis, vmm: VmmModule, target: PoolTarget, options: PoolOptions): Promise<RangeResult> {
  const file = workerFile();
  if (options.workers <= 1 || file === null) return inThisThread(new Campaign(analysis, { isa: analysis.isa, vmm, ...target }, options), options);
  return onWorkers(file, analysis, target, options);
}

async function inThisThread(campaign: Campaign, options: PoolOptions): Promise<RangeResult> {
  let result = emptyResult();
  const step = chunkSize(options.runs, 1);
  for (let from = 0; from < options.runs; from += step) {
    const to = Math.min(options.runs, from + step);
    result = mergeResult(result, campaign.runRange(from, to, options.maxDivergences - result.divergences.length));
    options.onProgress?.(to, result.divergences.length);
    if (result.divergences.length >= options.maxDivergences) break;
    // Let the event loop breathe (progress output, signals).
    await new Promise((r) => setImmediate(r));
  }
  return result;
}

/** What a worker starts from: plain data, cloned into it (a VmmTarget's loaded module cannot be). */
export interface WorkerInput {
  readonly analysis: Analysis;
  readonly target: PoolTarget;
  readonly seed: number;
  readonly length: number;
}

export function workerInput(analysis: Analysis, target: PoolTarget, options: PoolOptions): WorkerInput {
  return { analysis, target: { mode: target.mode, executor: target.executor }, seed: options.seed, length: options.length };
}

function onWorkers(file: URL, analysis: Analysis, target: PoolTarget, options: PoolOptions): Promise<RangeResult> {
  const step = chunkSize(options.runs, options.workers);
  let next = 0;
  let done = 0;
  let result = emptyResult();
  let live = 0;
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    const stopping = () => result.divergences.length >= options.maxDivergences;
    const give = (w: Worker) => {
      if (next >= options.runs || stopping()) {
        w.postMessage({ kind: "stop" } satisfies FromPool);
        return;
      }
      const from = next;
      next = Math.min(options.runs, next + step);
      w.postMessage({ kind: "range", from, to: next, maxDivergences: options.maxDivergences } satisfies FromPool);
    };
    for (let k = 0; k < Math.min(options.workers, Math.ceil(options.runs / step)); k++) {
      const w = new Worker(file, { workerData: workerInput(analysis, target, options) });
      live++;
      workers.push(w);
      w.on("message", (m: ToPool) => {
        if (m.kind === "ready") return give(w);
        done += m.done;
        if (m.kind === "range") {
          result = mergeResult(result, m.result);
          give(w);
        }
        options.onProgress?.(Math.min(done, options.runs), result.divergences.length);
      });
      w.on("error", (e) => {
        for (const x of workers) void x.terminate();
        reject(e);
      });
      w.on("exit", () => {
        if (--live === 0) resolve({ ...result, divergences: result.divergences.slice(0, options.maxDivergences) });
      });
    }
  });
}
