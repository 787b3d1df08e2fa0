// The generated VMM against the bare machine, per ISA and mode: the direct-execution ratio (guest
// instructions run directly on the machine / all guest instructions) and the VMM/bare time ratio,
// both measured in this run with the same executor (bare = that executor running the guest on the
// machine without a VMM), in wall time and in this process's CPU time (the steadier of the two on a
// machine busy with other work).
//
// Workloads: the example kernels (isas/<isa>/examples), each run REPEAT times from reset - short
// (100 to 1,200 instructions), so VMM setup and block translation weigh in; and, where binutils
// can build bench/programs/<isa>/*.s, a longer loop (about 1.5 million instructions) run as guest
// supervisor code from its entry to its exit call: the steady state of direct execution.
// Analyses come from the verdict cache (~/.cache/popek, or $POPEK_CACHE), as `popek vmm run` does;
// the first run fills it (x86 and armv7 take minutes).
//
// Usage: npm run bench:vmm [-- --isa pg,riscv32] [--executor engine|interp] [--repeat N]
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { homedir, loadavg, tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { analyze } from "../dist/src/analysis/analyze.js";
import { AnalysisCache } from "../dist/src/analysis/cache.js";
import { shutdownZ3 } from "../dist/src/analysis/z3.js";
import { checkSpec } from "../dist/src/check/check.js";
import { Engine } from "../dist/src/engine/engine.js";
import { assemble } from "../dist/src/machine/assembler.js";
import { Machine } from "../dist/src/machine/machine.js";
import { MachineState } from "../dist/src/machine/state.js";
import { loadSpec } from "../dist/src/syntax/load.js";
import { generateVmm } from "../dist/src/vmm/generate.js";
import { loadVmm } from "../dist/src/vmm/load.js";
import { RealHost } from "../dist/src/vmm/runtime/host.js";
import { Hypervisor } from "../dist/src/vmm/runtime/hypervisor.js";
import { directRatio } from "../dist/src/vmm/runtime/stats.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const EXECUTOR = opt("executor", "engine");
const REPEAT = Number(opt("repeat", "20"));
const ISAS = opt("isa", "pg,pg-flawed,s370,riscv32,x86,armv7").split(",");

/** Per spec: the modes the issue asks for, the example kernel, and how to build a loop program. */
const TARGETS = {
  pg: { spec: "pg.isa", modes: ["trap"], kernel: "pg/examples/supervisor.s" },
  "pg-flawed": { spec: "pg-flawed.isa", modes: ["patch", "hvm"], kernel: "pg/examples/retu.s" },
  s370: { spec: "s370.isa", modes: ["trap"], kernel: "s370/examples/kernel.s" },
  riscv32: {
    spec: "riscv32.isa", modes: ["trap"], kernel: "riscv32/examples/kernel.s",
    loop: { as: ["riscv64-unknown-elf-as", "-march=rv32i", "-mabi=ilp32"], ld: ["riscv64-unknown-elf-ld", "-m", "elf32lriscv"], objcopy: "riscv64-unknown-elf-objcopy", sp: ["x", 2], exit: "ECALL" },
  },
  x86: {
    spec: "x86.isa", modes: ["patch"], kernel: "x86/examples/kernel.s",
    loop: { as: ["as", "--32"], ld: ["ld", "-m", "elf_i386"], objcopy: "objcopy", sp: ["R", 4], exit: "INT" },
  },
  armv7: {
    spec: "armv7.isa", modes: ["patch"], kernel: "armv7/examples/kernel.s",
    loop: { as: ["arm-none-eabi-as", "-march=armv7-a"], ld: ["arm-none-eabi-ld"], objcopy: "arm-none-eabi-objcopy", sp: ["SP_svc", 0], exit: "SVC" },
  },
};
const LOOP_PROGRAM = "sieve";
/** Most guest instructions a workload runs (both sides run the same ones). */
const LOOP_CAP = 3_000_000;
const TEXT = 0x10000;
const STACK = 0x800000;

/** The loop program assembled with binutils (REPS = 1), as memory units and an entry point; null without the toolchain. */
function buildLoop(isa, l) {
  const dir = join(tmpdir(), "popek-bench-vmm", isa);
  mkdirSync(dir, { recursive: true });
  const [obj, elf, bin] = ["o", "elf", "bin"].map((x) => join(dir, `${LOOP_PROGRAM}.${x}`));
  try {
    execFileSync(l.as[0], [...l.as.slice(1), "--defsym", "REPS=1", "-o", obj, join(ROOT, "bench", "programs", isa, `${LOOP_PROGRAM}.s`)]);
    execFileSync(l.ld[0], [...l.ld.slice(1), `-Ttext=0x${TEXT.toString(16)}`, "-e", "_start", "-o", elf, obj]);
    execFileSync(l.objcopy, ["-O", "binary", "-j", ".text", "-j", ".data", elf, bin]);
  } catch {
    return null;
  }
  const entry = Number.parseInt(/Entry point address:\s+0x([0-9a-f]+)/.exec(execFileSync("readelf", ["-h", elf], { encoding: "utf8" }))[1], 16);
  return { segments: [{ address: BigInt(TEXT), units: [...readFileSync(bin)].map(BigInt) }], entry: BigInt(entry), sp: l.sp, exit: l.exit };
}

function place(program, memory) {
  for (const s of program.segments) s.units.forEach((u, i) => u !== 0n && memory.set(s.address + BigInt(i), u));
}

/** The reset state with the program loaded (and the loop's stack pointer). */
function initialState(isa, program) {
  const s = new MachineState(isa);
  place(program, s.memory);
  if (program.entry !== null) s.pc = program.entry;
  if (program.sp) s.regs[isa.state.find((e) => e.name === program.sp[0]).id][program.sp[1]] = BigInt(STACK);
  return s;
}

/** Runs the program on the bare machine with the executor; returns its steps (stopping at the loop's exit call). */
function bare(isa, program, maxSteps) {
  const onTrap = (t) => (program.exit && t.instruction?.name === program.exit ? "stop" : "deliver");
  if (EXECUTOR === "engine") return new Engine(isa, initialState(isa, program)).run({ maxSteps, onTrap }).steps;
  return new Machine(isa, initialState(isa, program)).run({ maxSteps, onTrap }).steps;
}

/** Runs the program in one VM under the VMM for exactly `steps` guest steps; returns the VM. */
function underVmm(isa, vmm, mode, program, steps) {
  const h = new Hypervisor(isa, vmm, new RealHost(isa), { mode, executor: EXECUTOR });
  const vm = h.createVm((m) => place(program, m));
  const init = initialState(isa, program);
  isa.state.forEach((_, id) => (vm.virtual.regs[id] = [...init.regs[id]]));
  h.run(steps);
  return vm;
}

/**
 * Best of `runs` timings of f, in ms: wall time, and this process's CPU time (user + system), which
 * a machine shared with other work inflates far less than wall time.
 */
function best(runs, f) {
  let ms = Infinity;
  let cpu = Infinity;
  let out;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    out = f();
    const c = process.cpuUsage(c0);
    ms = Math.min(ms, performance.now() - t0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { ms, cpu, out };
}

const cache = new AnalysisCache(process.env.POPEK_CACHE ?? join(homedir(), ".cache", "popek"));
console.log(`VMM vs bare machine, direct execution on the ${EXECUTOR === "engine" ? "engine" : "interpreter"}; load average at start: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
console.log(`${"ISA".padEnd(10)} ${"mode".padEnd(6)} ${"workload".padEnd(28)} ${"steps".padStart(9)} ${"direct".padStart(8)} ${"bare ms".padStart(9)} ${"VMM ms".padStart(9)} ${"VMM/bare".padStart(8)} ${"bare cpu".padStart(9)} ${"VMM cpu".padStart(9)} ${"cpu ratio".padStart(9)}`);
const rows = [];
for (const name of ISAS) {
  const t = TARGETS[name];
  if (!t) throw new Error(`no target ${name} (targets: ${Object.keys(TARGETS).join(", ")})`);
  const isa = checkSpec(loadSpec(join(ROOT, "isas", t.spec))).isa;
  const analysis = await analyze(isa, isa.configs[0], { cache });
  const vmm = await loadVmm(generateVmm(analysis));
  const kernel = assemble(isa, readFileSync(join(ROOT, "isas", t.kernel), "utf8"));
  const workloads = [{ label: `${t.kernel.split("/").pop()} x${REPEAT}`, program: kernel, repeat: REPEAT, runs: 3 }];
  const loop = t.loop && buildLoop(name, t.loop);
  if (loop) workloads.push({ label: `${LOOP_PROGRAM} loop (bench/programs)`, program: loop, repeat: 1, runs: 5 });
  for (const mode of t.modes) {
    for (const w of workloads) {
      const steps = bare(isa, w.program, LOOP_CAP);
      // The loop's exit call traps: both sides run the instructions before it (or LOOP_CAP of them).
      const n = w.program.exit && steps < LOOP_CAP ? steps - 1 : steps;
      const b = best(w.runs, () => { for (let i = 0; i < w.repeat; i++) bare(isa, w.program, n); });
      const v = best(w.runs, () => { let vm; for (let i = 0; i < w.repeat; i++) vm = underVmm(isa, vmm, mode, w.program, n); return vm; });
      const ratio = directRatio(v.out.stats);
      rows.push({ name, mode, w: w.label, ratio, slow: v.ms / b.ms, slowCpu: v.cpu / b.cpu });
      console.log(`${name.padEnd(10)} ${mode.padEnd(6)} ${w.label.padEnd(28)} ${String(n).padStart(9)} ${(ratio * 100).toFixed(2).padStart(7)}% ${b.ms.toFixed(1).padStart(9)} ${v.ms.toFixed(1).padStart(9)} ${(v.ms / b.ms).toFixed(2).padStart(7)}x ${b.cpu.toFixed(1).padStart(9)} ${v.cpu.toFixed(1).padStart(9)} ${(v.cpu / b.cpu).toFixed(2).padStart(8)}x`);
    }
  }
}
await shutdownZ3();
const patch = rows.filter((r) => r.mode === "patch");
console.log(`\npatch mode (target >= 99% direct, <= 1.3x bare): ${patch.map((r) => `${r.name} ${r.w}: ${(r.ratio * 100).toFixed(2)}% direct, ${r.slow.toFixed(2)}x (CPU time ${r.slowCpu.toFixed(2)}x)`).join("; ")}`);
console.log(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
