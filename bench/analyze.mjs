// bench/analyze: analysis time of every bundled ISA, per configuration, cold (a fresh verdict
// cache: everything solved, Z3 started) and warm (the same cache again: nothing solved), with the
// per-instruction median and maximum, whole-library totals, the load average and the process's CPU
// time (the machine may be shared: wall-clock figures taken under load are slower than the analyzer
// is; CPU seconds are steadier), and where the time went: concrete search, solver checks, witness
// replay and the rest (symbolic execution and building terms), summed over the instructions.
// POPEK_BENCH_SLOWEST=n lists the n slowest instructions of the cold pass with their phases.
// Instructions are analysed by a pool of worker threads (POPEK_WORKERS, default the CPU count), every
// configuration of every spec in one queue as `popek check isas/*.isa` (npm start) does, so the
// library's time is what a user waits; each configuration's "work s" is the sum of its
// instructions' times. POPEK_BENCH_THREAD=1 adds a cold pass in one thread (configurations one
// after another), the peer the workers' speed-up is measured against. Also prints each
// configuration's problem sets, and the solver's limit per query (Z3 resource units: the verdicts
// do not depend on the machine, only the times do). "units M" is the solver's work in millions of
// resource units, the same on any machine and under any load: the figure to compare across runs
// when the machine's speed varies (a shared machine's may, by half within an hour).
// Also times the whole popek check command over the same files, as a child process (the start and
// the loading of the specs included).
// Run: npm run bench:analyze [-- isas/x.isa ...]   (builds first)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { analyze, DEFAULT_RLIMIT } from "../dist/src/analysis/analyze.js";
import { AnalysisCache } from "../dist/src/analysis/cache.js";
import { closeWorkerPool } from "../dist/src/analysis/pool.js";
import { SharedVerdicts } from "../dist/src/analysis/share.js";
import { tuneV8ForAnalysis } from "../dist/src/analysis/v8-flags.js";
import { prepareZ3, shutdownZ3 } from "../dist/src/analysis/z3.js";
import { checkSpec } from "../dist/src/check/check.js";
import { loadSpec } from "../dist/src/syntax/load.js";

const files = process.argv.slice(2).length ? process.argv.slice(2) : readdirSync("isas").filter((f) => f.endsWith(".isa")).sort().map((f) => `isas/${f}`);
const workers = Number(process.env.POPEK_WORKERS ?? os.availableParallelism());
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length ? (s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) : 0; };
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");
// Z3 compiles while the specs load, and V8 does not inline, as in popek check (see prepareZ3,
// tuneV8ForAnalysis).
prepareZ3();
tuneV8ForAnalysis();
const specs = files.map((f) => ({ file: f, isa: checkSpec(loadSpec(f)).isa })).filter((s) => s.isa);

const head = ["spec", "config", "instrs", "solved", "work s", "median ms", "max ms", "queries", "units M", "expect"];
const widths = [18, 14, 6, 6, 8, 9, 7, 7, 7, 6];
const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join("  ");

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const PHASES = ["search", "solve", "witness", "build"];
const phaseText = (p) => PHASES.map((k) => `${k} ${(p[k] / 1000).toFixed(1)}`).join(", ");
const slowestShown = Number(process.env.POPEK_BENCH_SLOWEST ?? 0);

async function pass(label, passOptions) {
  // One run over every configuration, as the CLI's: instructions that cannot tell two
  // configurations apart are solved once (src/analysis/share.ts) and counted once.
  const options = { ...passOptions, shared: new SharedVerdicts() };
  const t0 = performance.now();
  const c0 = cpu();
  const all = [];
  const phases = Object.fromEntries(PHASES.map((k) => [k, 0]));
  let units = 0;
  const slowest = [];
  const sets = [];
  console.log(`\n${label}`);
  console.log(line(head));
  const jobs = specs.flatMap(({ file, isa }) => isa.configs.map((config) => ({ file, isa, config })));
  // With workers, all at once (one queue, as the CLI has it); in one thread, one after another.
  const started = (options.workers ?? 0) > 1
    ? jobs.map((j) => {
      const p = analyze(j.isa, j.config, options);
      p.catch(() => undefined); // awaited below, in order; this only marks it handled meanwhile
      return p;
    })
    : [];
  for (const [i, { file, isa, config }] of jobs.entries()) {
    const a = await (started[i] ?? analyze(isa, config, options));
    const solved = a.instructions.filter((v) => v.queries > 0 || v.ms > 0);
    const ms = solved.map((v) => v.ms);
    all.push(...ms);
    for (const v of solved) {
      for (const k of PHASES) phases[k] += v.phases?.[k] ?? 0;
      slowest.push({ name: `${isa.name}/${config.name}/${v.name}`, ms: v.ms, queries: v.queries, phases: v.phases });
    }
    const failed = a.expectations.filter((e) => e.holds !== true).length;
    // Printed as it comes: a pass over the library takes minutes on a loaded machine.
    const seconds = ms.reduce((x, y) => x + y, 0) / 1000;
    console.log(line([file, config.name, String(isa.instructions.length), String(solved.length), seconds.toFixed(2),
      ms.length ? median(ms).toFixed(1) : "-", ms.length ? Math.max(...ms).toFixed(0) : "-",
      a.instructions.reduce((n, v) => n + v.queries, 0).toString(), (a.instructions.reduce((n, v) => n + (v.units ?? 0), 0) / 1e6).toFixed(1),
      `${a.expectations.length - failed}/${a.expectations.length}`]));
    units += a.instructions.reduce((n, v) => n + (v.units ?? 0), 0);
    const t3 = a.theorems;
    const show = (t) => (t.holds === true ? "holds" : t.holds === false ? `fails [${t.problems.join(", ")}]` : `inconclusive [${t.inconclusive.join(", ")}]`);
    sets.push(`${file} ${config.name}: vmm ${show(t3.vmm)}; recursive ${show(t3.recursive)}; hvm ${show(t3.hvm)}`);
  }
  const total = (performance.now() - t0) / 1000;
  console.log(`library: ${total.toFixed(2)} s (${(cpu() - c0).toFixed(1)} CPU s; load average ${load()} at the end), per-instruction median ${all.length ? median(all).toFixed(1) : "-"} ms, max ${all.length ? Math.max(...all).toFixed(0) : "-"} ms over ${all.length} instructions solved`);
  if (all.length) console.log(`phases, seconds summed over instructions: ${phaseText(phases)}; solver work ${(units / 1e6).toFixed(1)} M resource units (the same on any machine)`);
  for (const v of slowest.sort((a, b) => b.ms - a.ms).slice(0, slowestShown)) {
    console.log(`  ${v.name.padEnd(32)} ${v.ms.toFixed(0).padStart(8)} ms  ${String(v.queries).padStart(3)} queries  ${PHASES.map((k) => `${k} ${(v.phases?.[k] ?? 0).toFixed(0)}`).join(" ")}`);
  }
  return { total, median: median(all), sets };
}

console.log(`machine: ${os.availableParallelism()} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}; ${workers} worker(s); load average ${load()} at the start`);
console.log(`solver limit: ${DEFAULT_RLIMIT.toLocaleString("en")} Z3 resource units per query`);
const dir = mkdtempSync(join(os.tmpdir(), "popek-bench-cache-"));
try {
  const cache = new AnalysisCache(dir);
  const cold = await pass(`cold: fresh cache, ${workers} worker(s), Z3 start included`, { cache, workers });
  const warm = await pass("warm: the same cache", { cache, workers });
  let thread = null;
  if (process.env.POPEK_BENCH_THREAD === "1") thread = await pass("cold in one thread (no cache)", { workers: 1 });
  console.log("\nproblem sets (cold pass)");
  for (const s of cold.sets) console.log(`  ${s}`);
  console.log(`\ncold/warm: ${(cold.total / warm.total).toFixed(1)}× (${cold.total.toFixed(2)} s / ${warm.total.toFixed(2)} s)`);
  if (thread) console.log(`one thread/${workers} workers, cold: ${(thread.total / cold.total).toFixed(2)}× (${thread.total.toFixed(2)} s / ${cold.total.toFixed(2)} s)`);
  // What a user waits for from the shell, the process's start and the specs' loading included.
  const t = performance.now();
  const cli = spawnSync(process.execPath, ["bin/popek.js", "check", ...files, "--no-cache", "--workers", String(workers)], { stdio: ["ignore", "ignore", "inherit"] });
  const whole = (performance.now() - t) / 1000;
  console.log(`popek check ${files.length === 6 ? "isas/*.isa" : files.join(" ")} --no-cache, the whole process: ${whole.toFixed(2)} s (exit ${cli.status})`);
  console.log(`targets: library < 10 s cold: ${cold.total < 10 ? "met" : "missed"} (${cold.total.toFixed(2)} s; the whole command ${whole.toFixed(2)} s); per-instruction median < 20 ms: ${cold.median < 20 ? "met" : "missed"} (${cold.median.toFixed(1)} ms cold)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await closeWorkerPool();
  await shutdownZ3();
}
