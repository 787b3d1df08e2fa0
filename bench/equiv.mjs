// bench/equiv: the equivalence campaign's throughput per bundled ISA and VMM mode, on one thread:
// programs per second (generation, the bare run, the run under the VMM and the comparison), against
// a peer measured in the same run - the same programs on the bare machine alone - and the ratio
// between checking a program and running it bare. Target: 5,000 programs/s
// per core for 32-instruction programs. Divergences are counted (trap mode on x86 and pg-flawed
// diverges by design; the campaign stops at none here, it runs them all).
// Rates are per CPU-second of the bench's one thread, so a loaded machine slows them less.
// Each row names the VMM's direct executor: the reference interpreter (equiv's default) or the engine.
// Run: npm run bench:equiv [-- RUNS [LENGTH [ISA:MODE[:EXECUTOR],...]]]   (builds first; analyses use the verdict cache)
import os from "node:os";
import { homedir } from "node:os";
import { join } from "node:path";
import { analyze } from "../dist/src/analysis/analyze.js";
import { AnalysisCache } from "../dist/src/analysis/cache.js";
import { shutdownZ3 } from "../dist/src/analysis/z3.js";
import { checkSpec } from "../dist/src/check/check.js";
import { Campaign } from "../dist/src/equiv/campaign.js";
import { checkEquivalence } from "../dist/src/equiv/equivalence.js";
import { imageOf, runBare } from "../dist/src/equiv/run.js";
import { loadSpec } from "../dist/src/syntax/load.js";
import { generateVmm } from "../dist/src/vmm/generate.js";
import { loadVmm } from "../dist/src/vmm/load.js";

const runs = Number(process.argv[2] ?? 500);
const length = Number(process.argv[3] ?? 32);
const pairs = (process.argv[4] ?? "pg:trap,pg-flawed:hvm,s370:trap,riscv32:trap,riscv32:trap:engine,armv7:patch,armv7:patch:engine,x86:patch,x86:patch:engine,x86:trap").split(",").map((p) => p.split(":"));
const cache = process.env.POPEK_CACHE === "off" ? undefined : new AnalysisCache(process.env.POPEK_CACHE ?? join(homedir(), ".cache", "popek"));
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}; ${runs} programs of ${length} instructions per row, seed 1, one thread, rates per CPU-second`);
// programs/s: end to end (generation + bare run + VMM run + comparison); then generation alone, the
// peer (the same programs on the bare machine alone), bare + VMM + comparison, and its cost relative
// to the bare run.
const rows = [["isa", "mode", "executor", "programs/s", "generated/s", "bare only/s", "checked/s", "vs bare", "steps/prog", "divergences"]];
const print = () => console.log(rows.at(-1).map((c, i) => c.padEnd(i < 3 ? 10 : 12)).join("  "));
print();
// Seconds of CPU this process used: rates per core, which stay meaningful on a shared machine
// (the bench runs on one thread; the solver's threads are idle once the analyses are done).
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const analyses = new Map();
for (const [spec, mode, executor = "interp"] of pairs) {
  const isa = checkSpec(loadSpec(`isas/${spec}.isa`)).isa;
  if (!analyses.has(spec)) analyses.set(spec, await analyze(isa, isa.configs[0], { cache }));
  const analysis = analyses.get(spec);
  const vmm = await loadVmm(generateVmm(analysis));
  const campaign = new Campaign(analysis, { isa: analysis.isa, vmm, mode, executor }, { seed: 1, length });
  // Warm up (the JIT, the VMM's module).
  for (let n = 0; n < 20; n++) checkEquivalence(campaign.target, campaign.layout, campaign.caseAt(n));

  let t0 = cpu();
  const cases = Array.from({ length: runs }, (_, n) => campaign.caseAt(n));
  const generation = cpu() - t0;

  t0 = cpu();
  let steps = 0;
  for (const c of cases) steps += runBare(analysis.isa, campaign.layout, c, imageOf(analysis.isa, campaign.layout, c).units).steps;
  const bare = cpu() - t0;

  t0 = cpu();
  let divergences = 0;
  for (const c of cases) if (checkEquivalence(campaign.target, campaign.layout, c).kind === "diverged") divergences++;
  const check = cpu() - t0;
  rows.push([spec, mode, executor, (runs / (generation + check)).toFixed(0), (runs / generation).toFixed(0), (runs / bare).toFixed(0), (runs / check).toFixed(0), (check / bare).toFixed(2), (steps / runs).toFixed(1), String(divergences)]);
  print();
}
await shutdownZ3();
