// Guest MIPS of popek's engine, popek's reference interpreter and qemu-user, side by side.
//
// Every program in bench/programs/<isa>/*.s is assembled with GNU binutils into a static ELF (run
// by qemu-user) and a flat image of the same bytes (run by popek from the ELF's entry point). The
// program ends with its OS's exit call (ecall / int 0x80 / svc 0), which popek sees as a trap and
// stops on. popek counts the guest instructions; qemu's MIPS is that count over qemu's wall time
// (best of several runs, less the time qemu takes to start and exit an empty program). qemu is so
// much faster that it runs the program with --qemu-scale times its repetition count (REPS, a symbol
// of every program); its instruction count is popek's count at REPS = 1 plus the mean count per
// repetition (exact for the programs whose repetitions are alike; CRC32's differ by a few branches).
// The interpreter is timed on a prefix of the same run (it is some thousand times slower).
// On a shared machine wall time mostly measures the scheduler: the CPU columns compare the CPU time
// both spent (popek's process with its compiler threads, qemu's reaped child; Linux only).
//
// Usage: npm run bench:engine [-- --isa riscv32,x86,armv7] [--program alu,...] [--interp-steps N]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSpec } from "../dist/src/check/check.js";
import { Engine } from "../dist/src/engine/engine.js";
import { Machine } from "../dist/src/machine/machine.js";
import { MachineState } from "../dist/src/machine/state.js";
import { loadSpec } from "../dist/src/syntax/load.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

/** Per ISA: spec, toolchain, qemu, stack register, result register, the exit instruction (popek stops on its trap). */
const TARGETS = {
  riscv32: {
    spec: "riscv32.isa",
    as: ["riscv64-unknown-elf-as", "-march=rv32i", "-mabi=ilp32"],
    ld: ["riscv64-unknown-elf-ld", "-m", "elf32lriscv"],
    objcopy: "riscv64-unknown-elf-objcopy",
    qemu: "qemu-riscv32",
    sp: ["x", 2],
    result: ["x", 10],
    exit: "ECALL",
  },
  x86: {
    spec: "x86.isa",
    as: ["as", "--32"],
    ld: ["ld", "-m", "elf_i386"],
    objcopy: "objcopy",
    qemu: "qemu-i386",
    sp: ["R", 4],
    result: ["R", 3],
    exit: "INT",
  },
  armv7: {
    spec: "armv7.isa",
    as: ["arm-none-eabi-as", "-march=armv7-a"],
    ld: ["arm-none-eabi-ld"],
    objcopy: "arm-none-eabi-objcopy",
    qemu: "qemu-arm",
    sp: ["SP_svc", 0],
    result: ["R", 0],
    exit: "SVC",
  },
};

const TEXT = 0x10000;
const STACK = 0x800000;
const BUILD = join(tmpdir(), "popek-bench-engine");

function build(isa, t, src, reps = null) {
  const name = basename(src, ".s");
  const dir = join(BUILD, isa);
  mkdirSync(dir, { recursive: true });
  const tag = reps === null ? name : `${name}-${reps}`;
  const obj = join(dir, `${tag}.o`);
  const elf = join(dir, `${tag}.elf`);
  const bin = join(dir, `${tag}.bin`);
  execFileSync(t.as[0], [...t.as.slice(1), ...(reps === null ? [] : ["--defsym", `REPS=${reps}`]), "-o", obj, src]);
  execFileSync(t.ld[0], [...t.ld.slice(1), `-Ttext=0x${TEXT.toString(16)}`, "-e", "_start", "-o", elf, obj]);
  execFileSync(t.objcopy, ["-O", "binary", "-j", ".text", "-j", ".data", elf, bin]);
  const entry = Number.parseInt(/Entry point address:\s+0x([0-9a-f]+)/.exec(execFileSync("readelf", ["-h", elf], { encoding: "utf8" }))[1], 16);
  return { name, elf, image: readFileSync(bin), entry };
}

function initialState(isa, t, prog) {
  const s = new MachineState(isa);
  prog.image.forEach((b, i) => s.writeUnit(BigInt(TEXT + i), BigInt(b)));
  s.pc = BigInt(prog.entry);
  const sp = isa.state.find((e) => e.name === t.sp[0]);
  s.regs[sp.id][t.sp[1]] = BigInt(STACK);
  return s;
}

function resultOf(isa, t, regs) {
  const el = isa.state.find((e) => e.name === t.result[0]);
  return regs[el.id][t.result[1]];
}

/** CPU seconds of this process (all its threads), and of its reaped children (from /proc: Linux). */
function cpuSelf() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
function cpuChildren() {
  try {
    const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return NaN;
  }
}

function runEngine(isa, t, prog, runs = 2) {
  let best = null;
  let cpu = Infinity;
  for (let rep = 0; rep < runs; rep++) {
    const e = new Engine(isa, initialState(isa, t, prog));
    const c0 = cpuSelf();
    const start = process.hrtime.bigint();
    const r = e.run({ maxSteps: 5e9, onTrap: (trap) => (trap.instruction?.name === t.exit ? "stop" : "deliver") });
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    cpu = Math.min(cpu, cpuSelf() - c0);
    if (r.status !== "stopped") throw new Error(`${prog.name}: engine ended ${r.status} after ${r.steps} steps ${r.message ?? ""}`);
    const result = resultOf(isa, t, e.snapshot().regs);
    if (!best || secs < best.secs) best = { steps: r.steps, secs, result };
  }
  return { ...best, cpu };
}

function runInterpreter(isa, t, prog, steps) {
  const m = new Machine(isa, initialState(isa, t, prog));
  const start = process.hrtime.bigint();
  const r = m.run({ maxSteps: steps, onTrap: (trap) => (trap.instruction?.name === t.exit ? "stop" : "deliver") });
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return { steps: r.steps, secs };
}

function timeQemu(t, elf, reps = 5) {
  let best = Infinity;
  let cpu = Infinity;
  let status = null;
  for (let i = 0; i < reps; i++) {
    const c0 = cpuChildren();
    const start = process.hrtime.bigint();
    const r = spawnSync(t.qemu, [elf]);
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    status = r.status;
    best = Math.min(best, secs);
    cpu = Math.min(cpu, cpuChildren() - c0);
  }
  return { secs: best, cpu, status };
}

function qemuBaseline(isa, t) {
  const dir = join(BUILD, isa);
  mkdirSync(dir, { recursive: true });
  const src = join(dir, "empty.s");
  const exit = {
    riscv32: "li a0, 0\n li a7, 93\n ecall\n",
    x86: "mov $1, %eax\n mov $0, %ebx\n int $0x80\n",
    armv7: "mov r0, #0\n mov r7, #1\n svc #0\n",
  }[isa];
  writeFileSync(src, `.globl _start\n.text\n_start:\n ${exit}`);
  const p = build(isa, t, src);
  return timeQemu(t, p.elf, 9);
}

const fmt = (x, d = 1) => (x >= 100 ? x.toFixed(0) : x.toFixed(d));

const isas = opt("isa", "riscv32,x86,armv7").split(",");
const only = opt("program", null)?.split(",") ?? null;
const interpSteps = Number(opt("interp-steps", "100000"));
const qemuScale = Number(opt("qemu-scale", "20"));
const cpu = cpus()[0];
console.log(`popek engine benchmark — node ${process.version}, ${cpus().length} × ${cpu?.model ?? "?"}, ${execFileSync(TARGETS.riscv32.qemu, ["--version"], { encoding: "utf8" }).split("\n")[0]}`);
console.log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
console.log("MIPS = guest instructions per second / 1e6; ratio = popek engine / qemu-user\n");
const header = ["isa", "program", "instructions", "result", "interp MIPS", "engine MIPS", "qemu MIPS", "engine/qemu", "engine/interp", "engine CPU MIPS", "qemu CPU MIPS", "CPU engine/qemu"];
// Each row is printed as soon as its program has run (columns at least as wide as these).
const widths = [7, 7, 12, 10, 11, 11, 9, 11, 13, 15, 13, 15];
const printRow = (r) => console.log(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
printRow(header);
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const name of isas) {
  const t = TARGETS[name];
  const checked = checkSpec(loadSpec(join(ROOT, "isas", t.spec)));
  if (!checked.isa) throw new Error(`${t.spec}: spec errors`);
  const isa = checked.isa;
  const dir = join(ROOT, "bench", "programs", name);
  if (!existsSync(dir)) continue;
  const baseline = qemuBaseline(name, t);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".s")).sort()) {
    if (only && !only.includes(basename(file, ".s"))) continue;
    const src = join(dir, file);
    const prog = build(name, t, src);
    const reps = Number(/\.set REPS, (\d+)/.exec(readFileSync(src, "utf8"))[1]);
    const eng = runEngine(isa, t, prog);
    const one = runEngine(isa, t, build(name, t, src, 1), 1).steps;
    const per = (eng.steps - one) / (reps - 1);
    const interp = runInterpreter(isa, t, prog, Math.min(interpSteps, eng.steps));
    const qreps = reps * qemuScale;
    const q = timeQemu(t, build(name, t, src, qreps).elf);
    const qsteps = Math.round(one + per * (qreps - 1));
    const qsecs = Math.max(q.secs - baseline.secs, 1e-4);
    // CPU time is counted in 10 ms ticks: qemu's scaled run takes some hundred of them.
    const qcpu = Math.max(q.cpu - baseline.cpu, 0.01);
    const engineMips = eng.steps / eng.secs / 1e6;
    const qemuMips = qsteps / qsecs / 1e6;
    const interpMips = interp.steps / interp.secs / 1e6;
    const check = timeQemu(t, prog.elf, 1).status;
    const agree = (Number(eng.result) & 0xff) === check ? "" : ` (qemu exit ${check}!)`;
    const engineCpuMips = eng.steps / eng.cpu / 1e6;
    const qemuCpuMips = qsteps / qcpu / 1e6;
    printRow([name, prog.name, String(eng.steps), `0x${eng.result.toString(16)}${agree}`, fmt(interpMips, 3), fmt(engineMips), fmt(qemuMips), (engineMips / qemuMips).toFixed(3), fmt(engineMips / interpMips, 0), fmt(engineCpuMips), fmt(qemuCpuMips), (engineCpuMips / qemuCpuMips).toFixed(3)]);
  }
}
console.log(`\nload average at end: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
