/**
 * A worker thread of an equivalence campaign: it loads the generated VMM once and runs the ranges
 * of programs the pool hands it (pool.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { generateVmm } from "../vmm/generate.js";
import { loadVmm } from "../vmm/load.js";
import { Campaign } from "./campaign.js";
import type { FromPool, ToPool, WorkerInput } from "./pool.js";

const data = workerData as WorkerInput;
const vmm = await loadVmm(generateVmm(data.analysis));
const campaign = new Campaign(data.analysis, { isa: data.analysis.isa, vmm, ...data.target }, { seed: data.seed, length: data.length });
const port = parentPort!;
port.on("message", (m: FromPool) => {
  if (m.kind === "stop") {
    port.close();
    return;
  }
  let reported = m.from;
  const result = campaign.runRange(m.from, m.to, m.maxDivergences, (n) => {
    if (n + 1 - reported >= 64) {
      port.postMessage({ kind: "progress", done: n + 1 - reported } satisfies ToPool);
      reported = n + 1;
    }
  });
  port.postMessage({ kind: "range", result, done: m.to - reported } satisfies ToPool);
});
port.postMessage({ kind: "ready" } satisfies ToPool);
