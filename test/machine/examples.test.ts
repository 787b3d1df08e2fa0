/**
 * The bundled example programs (isas/<name>/examples), run on their machines through the library API
 * (what `popek run` does), with their final state pinned: a change in the interpreter, the assembler
 * or a spec that alters any of it shows up here.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import { levelName } from "../../src/cli/format-state.js";
import { loadProgram } from "../../src/cli/commands/program.js";
import type { Io } from "../../src/cli/load-isa.js";
import { main } from "../../src/cli/main.js";
import type * as IR from "../../src/ir/ir.js";
import { assemble, type AsmResult } from "../../src/machine/assembler.js";
import { Interpreter } from "../../src/machine/interpreter.js";
import { Machine, type RunResult, type TrapEvent } from "../../src/machine/machine.js";
import { loadSpec } from "../../src/syntax/load.js";

const ISAS = resolve(dirname(fileURLToPath(import.meta.url)), "../../isas");

const isas = new Map<string, IR.Isa>();
function loadIsa(name: string): IR.Isa {
  if (!isas.has(name)) {
    const checked = checkSpec(loadSpec(join(ISAS, name)));
    expect(checked.diagnostics.items.filter((d) => d.severity === "error")).toEqual([]);
    isas.set(name, checked.isa!);
  }
  return isas.get(name)!;
}

interface Run {
  readonly isa: IR.Isa;
  readonly machine: Machine;
  readonly program: AsmResult;
  readonly result: RunResult;
  readonly traps: TrapEvent[];
  /** The privilege element's value (for pg, the P&G mode M) when each trap happened. */
  readonly trapModes: bigint[];
  /** Each trap as "cause level": its cause's name and the privilege level it was taken from. */
  readonly trapLog: string[];
  reg(name: string, index?: number): bigint;
  /** A word of physical memory (the spec's endianness), `units` memory units long. */
  word(address: bigint, units?: number): bigint;
  /** The address of a label of the program. */
  symbol(name: string): bigint;
}

/** Runs each example once, lazily (inside the first test that needs it, so failures are reported there). */
const cache = new Map<string, Run>();
function example(specName: string, programName: string, examplesDir = specName.replace(/(-flawed)?\.isa$/, "")): Run {
  const key = `${specName} ${examplesDir}/${programName}`;
  if (!cache.has(key)) cache.set(key, runExample(specName, join(ISAS, examplesDir, "examples", programName)));
  return cache.get(key)!;
}

function runExample(specName: string, file: string, maxSteps = 100_000): Run {
  const isa = loadIsa(specName);
  const program = assemble(isa, readFileSync(file, "utf8"));
  expect(program.errors).toEqual([]);
  const machine = new Machine(isa);
  loadProgram(machine, program);
  const reg = (name: string, index = 0) => {
    const el = isa.state.find((e) => e.name === name);
    if (!el) throw new Error(`no register ${name}`);
    return machine.state.reg(el.id, index);
  };
  const mode = () => new Interpreter(isa, machine.state).eval(isa.privilege.element, { locals: [], operands: new Map(), nextPc: 0n });
  const traps: TrapEvent[] = [];
  const trapModes: bigint[] = [];
  const trapLog: string[] = [];
  const result = machine.run({
    maxSteps,
    onTrap: (t) => {
      traps.push(t);
      trapModes.push(mode());
      trapLog.push(`${t.cause.name} ${levelName(isa, machine.state)}`);
      return "deliver";
    },
  });
  const word = (address: bigint, units = 4) => {
    const { unitWidth, endian } = isa.memory;
    let v = 0n;
    for (let i = 0; i < units; i++) {
      const a = address + BigInt(endian === "big" ? i : units - 1 - i);
      v = (v << BigInt(unitWidth)) | machine.state.readUnit(a);
    }
    return v;
  };
  const symbol = (name: string) => {
    const v = program.symbols.get(name);
    if (v === undefined) throw new Error(`no label ${name}`);
    return v;
  };
  return { isa, machine, program, result, traps, trapModes, trapLog, reg, word, symbol };
}

/** `times` copies of a sequence, for pinning the repeating part of a trap log. */
function repeat<T>(items: readonly T[], times: number): T[] {
  return Array.from({ length: times }, () => items).flat();
}

describe("supervisor.s on pg.isa", () => {
  const run = () => example("pg.isa", "supervisor.s");

  it("halts with the user's sum and the number of timer interrupts", () => {
    expect(run().result.status).toBe("halted");
    expect(run().result.steps).toBe(552);
    expect(run().machine.state.halted).toBe(true);
    expect(run().machine.state.output).toEqual([55n, 8n]);
  });

  it("ends in supervisor mode with the pinned registers", () => {
    expect(run().reg("M")).toBe(0n);
    expect(run().reg("L")).toBe(0n);
    expect(run().reg("B")).toBe(1023n);
    expect(run().reg("T")).toBe(8n);
    // Halted at the HLT after `out r0` in on_exit: the PC stays on the halting instruction.
    expect(run().reg("P")).toBe(0x23n);
    expect([0, 1, 2, 3].map((i) => run().reg("A", i))).toEqual([8n, 0n, 0n, 0n]);
  });

  it("the user's store went through relocation to physical 512 + its offset", () => {
    const result = run().program.symbols.get("result");
    expect(result).toBeDefined();
    // Labels of the user program count from its virtual origin 0.
    expect(result!).toBeLessThan(64n);
    expect(run().machine.state.readUnit(512n + result!)).toBe(55n);
    // Not at the virtual address itself (that is the supervisor's own storage).
    expect(run().machine.state.readUnit(result!)).not.toBe(55n);
    expect(run().machine.state.readUnit(run().program.symbols.get("ticks")!)).toBe(8n);
    expect(run().machine.state.memory.size).toBe(53);
  });

  it("took 2 supervisor calls and 8 timer interrupts, all in user mode", () => {
    const names = run().traps.map((t) => t.cause.name);
    expect(names.filter((n) => n === "svc")).toHaveLength(2);
    expect(names.filter((n) => n === "timer")).toHaveLength(8);
    expect(names).toHaveLength(10);
    expect(run().traps.filter((t) => t.cause.name === "timer").every((t) => t.fromTick && t.pc === t.nextPc)).toBe(true);
    const svc = run().traps.filter((t) => t.cause.name === "svc");
    expect(svc.map((t) => t.info)).toEqual([1n, 0n]);
    expect(svc.every((t) => t.instruction?.name === "SVC" && t.nextPc === t.pc + 1n)).toBe(true);
    // The interval timer stands still in supervisor mode, so every trap arrives from user mode.
    expect(run().trapModes).toEqual(new Array(10).fill(1n));
  });

  it("enters at _start and loads the user program at physical 512", () => {
    expect(run().program.entry).toBe(run().program.symbols.get("_start"));
    expect(run().program.segments.map((s) => s.address)).toEqual([0n, 512n]);
  });
});

describe("user.s on pg.isa", () => {
  it("adds 1..10, prints 55 and halts", () => {
    const run = example("pg.isa", "user.s");
    expect(run.result.status).toBe("halted");
    expect(run.result.steps).toBe(44);
    expect(run.machine.state.output).toEqual([55n]);
    expect(run.reg("A", 0)).toBe(55n);
    expect(run.reg("A", 1)).toBe(0n);
    expect(run.reg("P")).toBe(0x10n);
    expect(run.reg("M")).toBe(0n);
    expect(run.machine.state.readUnit(run.program.symbols.get("sum")!)).toBe(55n);
    expect(run.traps).toEqual([]);
  });
});

describe("pg-flawed.isa", () => {
  it("runs the same supervisor to the same output and state", () => {
    const good = example("pg.isa", "supervisor.s");
    const flawed = example("pg-flawed.isa", "supervisor.s");
    expect(flawed.isa.name).not.toBe(good.isa.name);
    expect(flawed.result.status).toBe("halted");
    expect(flawed.machine.state.output).toEqual([55n, 8n]);
    expect(flawed.result.steps).toBe(good.result.steps);
    expect(flawed.machine.state.regs).toEqual(good.machine.state.regs);
    expect([...flawed.machine.state.memory].sort()).toEqual([...good.machine.state.memory].sort());
  });

  it("runs user.s the same way", () => {
    const flawed = example("pg-flawed.isa", "user.s");
    expect(flawed.result.status).toBe("halted");
    expect(flawed.machine.state.output).toEqual([55n]);
  });
});

describe("kernel.s on riscv32.isa", () => {
  const run = () => example("riscv32.isa", "kernel.s");

  it("halts with the user's sum, the address of its refused load and the timer interrupts", () => {
    expect(run().result.status).toBe("halted");
    expect(run().result.steps).toBe(1151);
    expect(run().machine.state.output).toEqual([55n, 8192n, 8n]);
  });

  it("powers off in the monitor, with Sv32 on and the user's traps delegated", () => {
    expect(run().reg("priv")).toBe(3n);
    expect(run().reg("PC")).toBe(run().symbol("m_shutdown"));
    expect(run().reg("satp")).toBe(0x8000_0003n);
    expect(run().reg("medeleg")).toBe(0xb100n);
    expect(run().reg("mideleg")).toBe(0x20n);
    // The kernel's last call was SBI_SHUTDOWN (a7 = 3), with the tick count still in a0.
    expect(run().reg("x", 17)).toBe(3n);
    expect(run().reg("x", 10)).toBe(8n);
  });

  it("the user's stores went through its page tables to physical 0x6000", () => {
    expect(run().symbol("result")).toBe(0x0040_1000n);
    expect(run().word(0x6000n)).toBe(55n);
    // The refused load left its register at -1, which the user stored next to the sum.
    expect(run().word(0x6004n)).toBe(0xffff_ffffn);
    expect(run().word(run().symbol("ticks"))).toBe(8n);
    expect(run().word(run().symbol("faults"))).toBe(1n);
  });

  it("took the calls, the page fault and the timer through the monitor and the kernel", () => {
    const timer = ["machine_timer_interrupt U", "supervisor_timer_interrupt U", "ecall_from_s S"];
    expect(run().trapLog).toEqual([
      "ecall_from_s S", // the kernel arms the timer
      "ecall_from_u U", // print(55)
      "ecall_from_s S",
      "machine_timer_interrupt S", // the first tick arrives in the kernel: the monitor raises STIP,
      "supervisor_timer_interrupt U", // which the kernel takes once it is back in U-mode
      "ecall_from_s S",
      "load_page_fault U", // the user reads the kernel's page
      "ecall_from_s S",
      ...repeat(timer, 7),
      "ecall_from_u U", // exit
      "ecall_from_s S", // print(ticks)
      "ecall_from_s S", // shutdown
    ]);
    const fault = run().traps.find((t) => t.cause.name === "load_page_fault")!;
    expect(fault.info).toBe(0x2000n);
    expect(fault.instruction?.name).toBe("LW");
    expect(run().traps.filter((t) => t.fromTick).every((t) => t.cause.name.endsWith("timer_interrupt"))).toBe(true);
  });

  it("enters at _start, the reset pc", () => {
    expect(run().program.entry).toBe(0n);
    expect(run().program.segments.map((s) => s.address)).toEqual([0n, 0x1000n, 0x2000n, 0x3000n, 0x4000n, 0x5000n, 0x6000n]);
  });
});

describe("user.s on riscv32.isa", () => {
  it("computes gcd(1071, 462) = 21, prints it and powers off", () => {
    const run = example("riscv32.isa", "user.s");
    expect(run.result.status).toBe("halted");
    expect(run.result.steps).toBe(51);
    expect(run.machine.state.output).toEqual([21n]);
    expect(run.reg("x", 10)).toBe(21n);
    expect(run.reg("x", 11)).toBe(21n);
    expect(run.reg("priv")).toBe(3n);
    expect(run.word(run.symbol("gcd"))).toBe(21n);
    expect(run.traps).toEqual([]);
  });
});

describe("kernel.s on armv7.isa", () => {
  const run = () => example("armv7.isa", "kernel.s");

  it("halts with the user's sum, the address of its refused load and the exception count", () => {
    expect(run().result.status).toBe("halted");
    expect(run().result.steps).toBe(108);
    expect(run().machine.state.output).toEqual([55n, 4096n, 3n]);
  });

  it("powers off in Supervisor mode with the MMU on", () => {
    expect(run().reg("CPSR")).toBe(0x93n); // Supervisor, I set by the SVC's exception entry
    expect(run().reg("PC")).toBe(run().symbol("sys_exit") + 12n);
    expect(run().reg("SCTLR")).toBe(1n);
    expect(run().reg("TTBR0")).toBe(0x4000n);
    expect(run().reg("DACR")).toBe(1n);
    // The Data Abort: a permission fault on a section, at the kernel's address 0x1000.
    expect(run().reg("DFSR")).toBe(0x0dn);
    expect(run().reg("DFAR")).toBe(0x1000n);
    expect(run().reg("LR_abt")).toBe(run().symbol("user") + 0x30n + 8n);
    // The banked stack pointers: the Abort stack was popped, the Supervisor one still holds the
    // exit call's frame; the user's was set from System mode.
    expect(run().reg("SP_abt")).toBe(0x1800n);
    expect(run().reg("SP_svc")).toBe(0x2000n - 12n);
    expect(run().reg("SP_usr")).toBe(0x0020_0000n);
    expect(run().reg("SPSR_svc") & 0x1fn).toBe(0x10n);
    expect(run().reg("R", 3)).toBe(0xffff_ffffn);
  });

  it("the user's stores went through its section to physical 0x00800000", () => {
    const offset = run().symbol("result") - 0x0010_0000n;
    expect(run().word(0x0080_0000n + offset)).toBe(55n);
    expect(run().word(0x0080_0000n + offset + 4n)).toBe(0xffff_ffffn);
    expect(run().word(run().symbol("result"))).toBe(0n); // nothing at the virtual address itself
    expect(run().word(run().symbol("exceptions"))).toBe(3n);
  });

  it("took two SVCs and one Data Abort, all from User mode", () => {
    expect(run().trapLog).toEqual(["svc usr", "dabt_permission usr", "svc usr"]);
    expect(run().traps.map((t) => t.instruction?.name)).toEqual(["SVC", "LDR", "SVC"]);
    expect(run().traps[1]!.info).toBe(0x1000n);
  });

  it("enters at _start, the reset vector", () => {
    expect(run().program.entry).toBe(0n);
    expect(run().program.segments.map((s) => s.address)).toEqual([0n, 0x1000n, 0x4000n, 0x0080_0000n]);
  });
});

describe("user.s on armv7.isa", () => {
  it("computes gcd(1071, 462) = 21, prints it and powers off", () => {
    const run = example("armv7.isa", "user.s");
    expect(run.result.status).toBe("halted");
    expect(run.result.steps).toBe(54);
    expect(run.machine.state.output).toEqual([21n]);
    expect(run.reg("R", 0)).toBe(21n);
    expect(run.reg("R", 1)).toBe(21n);
    expect(run.reg("CPSR")).toBe(0x1d3n);
    expect(run.word(run.symbol("gcd"))).toBe(21n);
    expect(run.traps).toEqual([]);
  });
});

describe("kernel.s on x86.isa", () => {
  const run = () => example("x86.isa", "kernel.s");

  it("halts with the grown segment's size, the user's sum and the ring-3 event count", () => {
    expect(run().result.status).toBe("halted");
    expect(run().result.steps).toBe(143);
    expect(run().machine.state.output).toEqual([8192n, 55n, 3n]);
  });

  it("halts at ring 0 with its GDT, IDT and TSS loaded", () => {
    expect(run().reg("EIP")).toBe(run().symbol("sys_exit") + 8n);
    expect(run().reg("CS") & 0xffffn).toBe(0x08n);
    expect(run().reg("DS") & 0xffffn).toBe(0x10n);
    expect(run().reg("GDTR")).toBe((0x800n << 16n) | 0x2fn);
    expect(run().reg("IDTR")).toBe((0x1000n << 16n) | 0x407n);
    expect(run().reg("TR") & 0xffffn).toBe(0x28n);
    // The interrupts came from ring 3 and switched to the TSS's ring-0 stack; the exit call's frame
    // (EIP, CS, EFLAGS, ESP, SS) and the two registers it saved are still on it.
    expect(run().reg("R", 4)).toBe(0x3000n - 7n * 4n);
    expect(run().word(0x3000n - 16n)).toBe(0x1bn); // the user's CS
    expect(run().word(0x3000n - 4n)).toBe(0x23n); // the user's SS
    expect(run().reg("R", 3)).toBe(55n); // EBX: the argument of the last print
    expect(run().reg("R", 7)).toBe(0x1010n); // EDI: past the end of the table
  });

  it("grew the user's data segment to 8 KiB, and its stores reached physical 0x00100000 + offset", () => {
    // The descriptor's limit, and LTR's busy mark on the TSS descriptor.
    expect(run().word(0x800n + 0x20n)).toBe(0x1fffn);
    expect(run().word(0x800n + 0x28n + 4n)).toBe(0x8b00n);
    const table = 0x0010_0000n + run().symbol("TABLE");
    const sums = Array.from({ length: 10 }, (_, i) => run().word(table + 4n * BigInt(i)));
    expect(sums).toEqual([1n, 3n, 6n, 10n, 15n, 21n, 28n, 36n, 45n, 55n]);
    expect(run().word(run().symbol("events"))).toBe(3n);
  });

  it("took one #GP (retried) and two INT 0x80 calls, all from ring 3", () => {
    expect(run().trapLog).toEqual(["seg_gp ring3", "swint ring3", "swint ring3"]);
    const [gp, print, exit] = run().traps;
    // The fault is reported at the store, which the kernel's IRET retries; INT resumes after itself.
    expect(gp!.pc).toBe(run().symbol("u_loop") + 2n);
    expect(gp!.instruction?.name).toBe("MOV");
    expect(gp!.info).toBe(0n);
    expect([print!.info, exit!.info]).toEqual([0x80n, 0x80n]);
    expect(exit!.nextPc).toBe(exit!.pc + 2n);
  });

  it("enters at _start, the reset EIP", () => {
    expect(run().program.entry).toBe(0n);
    expect(run().program.segments.map((s) => s.address)).toEqual([0n, 0x800n, 0x1000n + 13n * 8n, 0x1000n + 0x80n * 8n, 0x1800n, 0x1900n, 0x0010_0000n]);
  });
});

describe("user.s on x86.isa", () => {
  it("computes gcd(1071, 462) = 21, prints it and halts", () => {
    const run = example("x86.isa", "user.s");
    expect(run.result.status).toBe("halted");
    expect(run.result.steps).toBe(62);
    expect(run.machine.state.output).toEqual([21n]);
    expect(run.reg("R", 0)).toBe(21n);
    expect(run.reg("R", 3)).toBe(21n);
    expect(run.reg("CS") & 3n).toBe(0n);
    expect(run.word(run.symbol("gcd"))).toBe(21n);
    expect(run.traps).toEqual([]);
  });
});

describe("kernel.s on s370.isa", () => {
  const run = () => example("s370.isa", "kernel.s");
  /** The console prints bytes: a fullword as its four bytes, most significant first. */
  const words = (...values: number[]) => values.flatMap((v) => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff].map(BigInt));

  it("stops with the sum, the protected store's address and the timer interruptions, as bytes", () => {
    expect(run().result.status).toBe("halted");
    expect(run().result.steps).toBe(522);
    expect(run().machine.state.output).toEqual(words(55, 0x814, 4));
  });

  it("stops in a disabled wait, with the storage keys and CR0 it set", () => {
    expect(run().reg("PSW")).toBe(0x000an); // EC mode, wait, nothing enabled, supervisor state
    expect(run().reg("IA")).toBe(0n);
    expect(run().reg("KEYS", 0)).toBe(0x04n); // key 0, fetch protection
    expect(run().reg("KEYS", 1)).toBe(0x40n); // key 8
    expect(run().reg("CTL", 0)).toBe(0x400n); // CPU-timer subclass mask
    expect(run().reg("IOPEND")).toBe(0n); // TEST I/O collected every console write
    expect(run().reg("R", 1)).toBe(4n); // the last number printed
    // The interval timer at location 80 went negative at the first step; its subclass mask (CR0
    // bit 24) stays off, so the request stays pending and is never taken.
    expect(run().reg("ITPEND")).toBe(1n);
  });

  it("kept its storage from the program: the sum is in the program's block, the counter intact", () => {
    expect(run().word(run().symbol("result"))).toBe(55n);
    expect(run().word(run().symbol("ticks"))).toBe(4n);
    // The old program PSW (location 40) points after the refused 4-byte store, whose length the
    // interruption recorded (ILC in location 141, in bytes), with code 4 (protection) at 142.
    expect(run().word(44n) & 0xff_ffffn).toBe(0x818n);
    expect(run().word(141n, 1)).toBe(4n);
    expect(run().word(142n, 2)).toBe(4n);
  });

  it("took two SVCs, a protection exception and four CPU-timer interruptions in the problem state", () => {
    expect(run().trapLog).toEqual([
      "svc problem",
      "protection problem",
      ...repeat(["external problem"], 4),
      "svc problem",
    ]);
    expect(run().traps.filter((t) => t.cause.name === "svc").map((t) => t.info)).toEqual([1n, 0n]);
    const external = run().traps.filter((t) => t.cause.name === "external");
    expect(external.every((t) => t.fromTick && t.info === 0x1005n && t.pc === run().symbol("spin"))).toBe(true);
    expect(run().traps.find((t) => t.cause.name === "protection")!.instruction?.name).toBe("ST");
  });

  it("enters at _start, the reset instruction address", () => {
    expect(run().program.entry).toBe(0n);
    expect(run().program.segments.map((s) => s.address)).toEqual([0n, 88n, 0x200n, 0x600n, 0x800n]);
  });
});

describe("user.s on s370.isa", () => {
  it("computes gcd(1071, 462) = 21 with DIVIDE, prints it and stops", () => {
    const run = example("s370.isa", "user.s");
    expect(run.result.status).toBe("halted");
    expect(run.result.steps).toBe(27);
    expect(run.machine.state.output).toEqual([0n, 0n, 0n, 21n]);
    expect(run.reg("R", 4)).toBe(21n);
    expect(run.reg("R", 5)).toBe(0n);
    expect(run.reg("PSW")).toBe(0x000an);
    expect(run.word(run.symbol("gcd"))).toBe(21n);
    expect(run.traps).toEqual([]);
  });
});

describe("popek run on the library's examples", () => {
  const examples = ["riscv32", "armv7", "x86", "s370"].flatMap((name) => ["kernel.s", "user.s"].map((file) => [name, file] as const));

  it.each(examples)("%s: %s halts from reset and prints what the library run printed", async (name, file) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), color: false };
    const code = await main(["node", "popek", "run", join(ISAS, `${name}.isa`), join(ISAS, name, "examples", file)], io);
    const run = example(`${name}.isa`, file);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const lines = out.join("\n").split("\n");
    expect(lines[0]).toBe(`status  halted after ${run.result.steps} steps`);
    expect(lines.at(-1)).toBe(`output  ${run.machine.state.output.join(" ")}`);
  });
});
