// bench/analyze: analysis time of every bundled ISA, per configuration, with the per-instruction
// median and maximum. The first pass is cold (it includes starting Z3); the second is warm.
// Run: npm run bench:analyze   (builds first)
import { readdirSync } from "node:fs";
import os from "node:os";
import { analyze } from "../dist/src/analysis/analyze.js";
import { shutdownZ3, z3 } from "../dist/src/analysis/z3.js";
import { checkSpec } from "../dist/src/check/check.js";
import { loadSpec } from "../dist/src/syntax/load.js";

const files = process.argv.slice(2).length ? process.argv.slice(2) : readdirSync("isas").filter((f) => f.endsWith(".isa")).sort().map((f) => `isas/${f}`);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length ? (s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) : 0; };
const specs = files.map((f) => ({ file: f, isa: checkSpec(loadSpec(f)).isa })).filter((s) => s.isa);

async function pass(label) {
  const t0 = performance.now();
  if (label === "cold") await z3();
  const init = performance.now() - t0;
  const all = [];
  const rows = [];
  for (const { file, isa } of specs) {
    for (const config of isa.configs) {
      const t = performance.now();
      const a = await analyze(isa, config);
      const ms = a.timings.perInstructionMs;
      all.push(...ms);
      rows.push([file, config.name, String(isa.instructions.length), ((performance.now() - t) / 1000).toFixed(2), median(ms).toFixed(1), Math.max(...ms).toFixed(0), a.instructions.reduce((n, v) => n + v.queries, 0).toString()]);
    }
  }
  const total = (performance.now() - t0) / 1000;
  console.log(`\n${label} pass${label === "cold" ? ` (Z3 start ${(init / 1000).toFixed(2)} s included)` : ""}`);
  const head = ["spec", "config", "instrs", "seconds", "median ms", "max ms", "queries"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(w[i])).join("  "));
  console.log(`library: ${total.toFixed(2)} s, per-instruction median ${median(all).toFixed(1)} ms, max ${Math.max(...all).toFixed(0)} ms over ${all.length} instruction analyses`);
  return { total, median: median(all) };
}

console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}`);
const cold = await pass("cold");
const warm = await pass("warm");
console.log(`\ntargets: library < 10 s cold (${cold.total.toFixed(2)} s: ${cold.total < 10 ? "met" : "missed"}), median < 20 ms (${warm.median.toFixed(1)} ms warm: ${warm.median < 20 ? "met" : "missed"})`);
await shutdownZ3();
