/**
 * The `popek` command line. Every command returns an exit code; user errors are printed as
 * diagnostics, and only an internal error (a bug in popek) prints a stack trace.
 */
import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { DEFAULT_RLIMIT, DEFAULT_TIMEOUT_MS } from "../analysis/analyze.js";
import { checkCommand } from "./commands/check.js";
import { asmCommand, disasmCommand } from "./commands/asm.js";
import { runCommand } from "./commands/run.js";
import { vmmGenerateCommand, vmmRunCommand } from "./commands/vmm.js";
import type { VmmMode } from "../vmm/runtime/hypervisor.js";
import type { ExecutorKind } from "../vmm/runtime/executor.js";
import { difftestCommand } from "./commands/difftest.js";
import { equivCommand } from "./commands/equiv.js";
import type * as IR from "../ir/ir.js";
import { EXIT, type Io } from "./load-isa.js";

export function consoleIo(): Io {
  return {
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    color: process.stderr.isTTY === true && !process.env.NO_COLOR,
  };
}

/** Verdict cache: $POPEK_CACHE ("off" for none), else ~/.cache/popek. */
function defaultCacheDir(): string {
  return process.env.POPEK_CACHE ?? join(homedir(), ".cache", "popek");
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new CommanderError(EXIT.specError, "popek.usage", `error: '${v}' is not a positive whole number`);
  return n;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new CommanderError(EXIT.specError, "popek.usage", `error: '${v}' is not a whole number from 0 to 4294967295`);
  return n;
}

export function buildProgram(io: Io, setCode: (code: number | Promise<number>) => void): Command {
  const program = new Command("popek")
    .description("Decides, with proof or counterexample, whether an ISA can host a virtual machine monitor (Popek & Goldberg, 1974).")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command("check")
    .description("check .isa specs, classify every instruction and decide Theorems 1-3")
    .argument("<files...>", ".isa spec files")
    .option("--config <name>", "analyse only this guest configuration")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "sarif"]).default("text"))
    .option("--explain <instruction>", "print every witness for one instruction")
    .addOption(new Option("--require <theorem...>", "exit 1 unless these theorems hold").choices(["vmm", "recursive", "hvm"]).default([]))
    .addOption(new Option("--rlimit <units>", "Z3 resource units per solver query (deterministic: the verdicts do not depend on the machine's speed or load)").argParser(positiveInt).default(DEFAULT_RLIMIT))
    .addOption(new Option("--timeout <ms>", "wall-clock guard per solver query").argParser(positiveInt).default(DEFAULT_TIMEOUT_MS))
    .option("--syntax-only", "parse and check the spec without analysing it")
    .option("--cache <dir>", "reuse verdicts of unchanged instructions from this directory", defaultCacheDir())
    .option("--no-cache", "analyse every instruction afresh")
    .addOption(new Option("--workers <n>", "worker threads analysing instructions in parallel (1: none)").argParser(positiveInt).default(availableParallelism(), "the number of CPUs"))
    .action((files: string[], opts: { config?: string; format: "text" | "json" | "sarif"; explain?: string; require: IR.Theorem[]; rlimit: number; timeout: number; syntaxOnly?: boolean; cache: string | false; workers: number }) =>
      setCode(checkCommand(files, {
        config: opts.config, format: opts.format, explain: opts.explain, require: opts.require, rlimit: opts.rlimit, timeoutMs: opts.timeout,
        syntaxOnly: opts.syntaxOnly ?? false, cacheDir: cacheDir(opts.cache), workers: opts.workers,
      }, io)));

  program
    .command("asm")
    .description("assemble a program for a spec; print a listing, or write an image with -o")
    .argument("<spec>", ".isa spec file")
    .argument("<program>", "assembly source")
    .option("-o, --output <file>", "write a flat binary image")
    .action((spec: string, prog: string, opts: { output?: string }) => setCode(asmCommand(spec, prog, opts, io)));

  program
    .command("disasm")
    .description("disassemble an image file or hex words")
    .argument("<spec>", ".isa spec file")
    .argument("[image]", "binary image (units big-endian, whole bytes each)")
    .option("--hex <words>", "fetch-unit words in hex, separated by spaces or commas")
    .option("--base <addr>", "address of the first unit", "0")
    .action((spec: string, image: string | undefined, opts: { hex?: string; base?: string }) => setCode(disasmCommand(spec, image, opts, io)));

  program
    .command("run")
    .description("run a program on the spec's machine and print the final state")
    .argument("<spec>", ".isa spec file")
    .argument("<program>", "assembly source")
    .addOption(new Option("--max <n>", "step limit").argParser(positiveInt).default(1_000_000))
    .option("--trace", "print every instruction and trap")
    .action((spec: string, prog: string, opts: { max: number; trace?: boolean }) => setCode(runCommand(spec, prog, { max: opts.max, trace: opts.trace ?? false }, io)));

  const vmm = program.command("vmm").description("generate a VMM from a spec, or run guests under it");
  vmm
    .command("generate")
    .description("write a TypeScript VMM (dispatcher, allocator, interpreter routines, trap reflection) for a spec")
    .argument("<spec>", ".isa spec file")
    .requiredOption("-o, --out <dir>", "directory to write the VMM to")
    .option("--config <name>", "the guest configuration (default: the spec's first)")
    .option("--cache <dir>", "verdict cache", defaultCacheDir())
    .option("--no-cache", "analyse every instruction afresh")
    .action((spec: string, opts: { out: string; config?: string; cache: string | false }) =>
      setCode(vmmGenerateCommand(spec, { out: opts.out, config: opts.config, cacheDir: cacheDir(opts.cache) }, io)));
  vmm
    .command("run")
    .description("run a guest on the bare machine and under the generated VMM, and compare")
    .argument("<spec>", ".isa spec file")
    .argument("<guest>", "guest program (assembly source)")
    .addOption(new Option("--mode <mode>", "trap-and-emulate, patching of problem instructions, or hybrid VMM").choices(["trap", "patch", "hvm"]).default("trap"))
    .addOption(new Option("--vms <n>", "VMs side by side, each running the guest").argParser(positiveInt).default(1))
    .addOption(new Option("--nested <k>", "levels of VMMs between the guest and the machine").argParser(positiveInt).default(1))
    .addOption(new Option("--max <n>", "step limit per VM").argParser(positiveInt).default(1_000_000))
    .addOption(new Option("--executor <kind>", "what runs guest code directly: the block-compiling engine or the interpreter (nested VMMs always use the interpreter)").choices(["engine", "interp"]).default("engine"))
    .option("--config <name>", "the guest configuration (default: the spec's first)")
    .option("--cache <dir>", "verdict cache", defaultCacheDir())
    .option("--no-cache", "analyse every instruction afresh")
    .action((spec: string, guest: string, opts: { mode: VmmMode; vms: number; nested: number; max: number; executor: ExecutorKind; config?: string; cache: string | false }) =>
      setCode(vmmRunCommand(spec, guest, { mode: opts.mode, vms: opts.vms, nested: opts.nested, max: opts.max, executor: opts.executor, config: opts.config, cacheDir: cacheDir(opts.cache) }, io)));
  program
    .command("difftest")
    .description("test a spec against a real implementation: GNU binutils (encodings) and qemu-user (user-level semantics)")
    .argument("<spec>", ".isa spec file")
    .option("--against <peer>", "the implementation to test against (default: the ISA's own; qemu-riscv32, qemu-arm, qemu-i386)")
    .addOption(new Option("--runs <n>", "random instruction forms and random programs").argParser(positiveInt).default(100))
    .addOption(new Option("--seed <s>", "seed of the random choices").argParser(nonNegativeInt).default(1974))
    .addOption(new Option("--length <l>", "instructions per program").argParser(positiveInt).default(16))
    .addOption(new Option("--only <check>", "run one of the two checks").choices(["encodings", "semantics"]))
    .action((spec: string, opts: { against?: string; runs: number; seed: number; length: number; only?: "encodings" | "semantics" }) =>
      setCode(difftestCommand(spec, opts, io)));

  program
    .command("equiv")
    .description("test the generated VMM's equivalence and isolation on random guests derived from the spec")
    .argument("<spec>", ".isa spec file")
    .addOption(new Option("--mode <mode>", "trap-and-emulate, patching of problem instructions, or hybrid VMM").choices(["trap", "patch", "hvm"]).default("trap"))
    .addOption(new Option("--executor <kind>", "what runs guest instructions directly under the VMM: the reference interpreter (quickest for short random programs) or the block-compiling engine (what `vmm run` uses)").choices(["interp", "engine"]).default("interp"))
    .addOption(new Option("--runs <n>", "random guest programs").argParser(positiveInt).default(1000))
    .addOption(new Option("--seed <s>", "seed of the random choices").argParser(nonNegativeInt).default(1974))
    .addOption(new Option("--length <l>", "instructions per program").argParser(positiveInt).default(32))
    .addOption(new Option("--workers <w>", "worker threads").argParser(positiveInt).default(1))
    .addOption(new Option("--vms <n>", "VMs side by side in each isolation trial (1: none)").argParser(positiveInt).default(2))
    .option("--replay <path>", "run the case a divergence report saved, and nothing else")
    .option("--config <name>", "the guest configuration (default: the spec's first)")
    .option("--cache <dir>", "verdict cache", defaultCacheDir())
    .option("--no-cache", "analyse every instruction afresh")
    .action((spec: string, opts: { mode: VmmMode; executor: ExecutorKind; runs: number; seed: number; length: number; workers: number; vms: number; replay?: string; config?: string; cache: string | false }) =>
      setCode(equivCommand(spec, {
        mode: opts.mode, executor: opts.executor, runs: opts.runs, seed: opts.seed, length: opts.length, workers: opts.workers, vms: opts.vms, replay: opts.replay,
        config: opts.config, cacheDir: cacheDir(opts.cache), progress: terminalProgress(),
      }, io)));

  return program;
}

/** A progress line redrawn on stderr when it is a terminal; nothing otherwise. */
function terminalProgress(): ((line: string | null) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return (line) => {
    if (line === null) return void process.stderr.write("\r\x1b[K");
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    process.stderr.write(`\r\x1b[K${line}`);
  };
}

function cacheDir(option: string | false): string | null {
  return option === false || option === "off" ? null : option;
}

export async function main(argv: readonly string[], io: Io = consoleIo()): Promise<number> {
  let code: number | Promise<number> = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv]);
    return await code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      if (e.code === "popek.usage") io.err(e.message);
      return EXIT.specError;
    }
    io.err(`popek: internal error (a bug in popek, please report it):\n${(e as Error).stack ?? String(e)}`);
    return EXIT.internal;
  }
}
