/**
 * The interpreter's semantics, on a tiny inline machine: precise traps, tick, `either`, translation,
 * endianness, hard-wired and banked registers, signed operations, and the trap hook of Machine.run.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import type * as IR from "../../src/ir/ir.js";
import { assemble } from "../../src/machine/assembler.js";
import { Machine, type StepResult, type TrapDecision, type TrapEvent } from "../../src/machine/machine.js";
import type { InterpreterOptions } from "../../src/machine/interpreter.js";
import { MachineState } from "../../src/machine/state.js";
import { loadSpec } from "../../src/syntax/load.js";

interface SpecOptions {
  readonly endian?: "little" | "big";
  readonly tick?: boolean;
}

/**
 * A byte-addressed machine with 8-bit fetch: a mode bit M, four 8-bit registers with R[0] wired to
 * zero, a 32-bit W for multi-byte accesses, a relocation register OFF applied by translate, and a
 * trap entry that records what it was given (cause, info, P and next_pc) and jumps to 0xC0.
 */
function tinySpec(o: SpecOptions = {}): string {
  return `isa tiny;
memory E: bits(8)[256], ${o.endian ?? "little"}, fetch 8;
register P: bits(8) user pc = 0;
register M: bits(1) control = 0;
register R[4]: bits(8) user;
register W: bits(32) user;
register OFF: bits(8) control = 0;
register EPC: bits(8) control;
register NPC: bits(8) control;
register CAUSE: bits(4) control;
register INFO: bits(8) control;
register TICKS: bits(8) control;
register TLIM: bits(8) control;
privilege M { sup = 0; usr = 1; }
hardwire R[0] = 0;
banked SP: bits(8) user by M { sup = 0; usr = 1; }
cause illegal = 1 undefined;
cause boom = 2;
cause fault = 3 memory;
cause timer = 4;

// Writes above 0xF0 and fetches above 0xE0 fault; everything is relocated by OFF.
translate(a: bits(8), access: bits(2)) -> bits(8) {
  if access == WRITE && a >= 0xF0 { trap fault(a); }
  if access == FETCH && a >= 0xE0 { trap fault(a); }
  return a + OFF;
}

trap entry(code: bits(4), info: bits(8)) {
  CAUSE = code;
  INFO = info;
  EPC = P;
  NPC = next_pc;
  P = 0xC0;
}
${o.tick ? `
tick {
  TICKS = TICKS + 1;
  if TLIM != 0 && TICKS == TLIM { trap timer; }
}
` : ""}
operand reg = [r0, r1, r2, r3];

instruction NOP { encoding 00000000; syntax "nop"; semantics { } }
instruction HLT { encoding 00000001; syntax "hlt"; semantics { halt; } }
instruction EITHER { encoding 00000010; syntax "either"; semantics { either { R[1] = 1; } or { R[1] = 2; } or { R[1] = 3; } } }
instruction WSP { encoding 00000011 imm:8; syntax "wsp {imm}"; semantics { SP = imm; } }
instruction RSP { encoding 000001 rd:2; syntax "rsp {rd:reg}"; semantics { R[rd] = SP; } }
instruction SETM { encoding 0000100 m:1; syntax "setm {m}"; semantics { M = m; } }
instruction LI { encoding 000100 rd:2 imm:8; syntax "li {rd:reg}, {imm}"; semantics { R[rd] = imm; } }
instruction BOOM {
  encoding 001000 rd:2 imm:8;
  syntax "boom {rd:reg}, {imm}";
  semantics {
    R[rd] = imm;
    W = 0xDEADBEEF;
    mem[0x20] = imm;
    output(imm);
    trap boom(imm);
  }
}
instruction LD { encoding 001100 rd:2 addr:8; syntax "ld {rd:reg}, {addr}"; semantics { R[rd] = mem[addr]; } }
instruction ST { encoding 010000 rd:2 addr:8; syntax "st {rd:reg}, {addr}"; semantics { mem[addr] = R[rd]; } }
instruction LDP { encoding 010100 rd:2 addr:8; syntax "ldp {rd:reg}, {addr}"; semantics { R[rd] = E[addr]; } }
instruction LW { encoding 01100000 addr:8; syntax "lw {addr}"; semantics { W = mem[addr, 4]; } }
instruction SW { encoding 01110000 addr:8; syntax "sw {addr}"; semantics { mem[addr, 4] = W; } }
instruction MOV { encoding 1000 rd:2 rs:2; syntax "mov {rd:reg}, {rs:reg}"; semantics { R[rd] = R[rs]; } }
instruction SLT { encoding 1001 rd:2 rs:2; syntax "slt {rd:reg}, {rs:reg}"; semantics { R[rd] = if R[rd] <s R[rs] then 1 else 0; } }
instruction ULT { encoding 1010 rd:2 rs:2; syntax "ult {rd:reg}, {rs:reg}"; semantics { R[rd] = if R[rd] < R[rs] then 1 else 0; } }
instruction SDIV { encoding 1011 rd:2 rs:2; syntax "sdiv {rd:reg}, {rs:reg}"; semantics { R[rd] = sdiv(R[rd], R[rs]); } }
instruction SREM { encoding 1100 rd:2 rs:2; syntax "srem {rd:reg}, {rs:reg}"; semantics { R[rd] = srem(R[rd], R[rs]); } }
instruction UDIV { encoding 1101 rd:2 rs:2; syntax "udiv {rd:reg}, {rs:reg}"; semantics { R[rd] = R[rd] / R[rs]; } }
instruction UREM { encoding 1110 rd:2 rs:2; syntax "urem {rd:reg}, {rs:reg}"; semantics { R[rd] = R[rd] % R[rs]; } }

// Returns from inside nested ifs and an either; what follows a return does not run.
function pick(v: bits(8)) -> bits(8) {
  if v < 0x10 {
    if v == 0 { return 0xA0; }
    either { return 0xA1; } or { R[3] = 0xEE; return 0xA2; }
    R[3] = 0x99;
  }
  R[3] = 0x33;
  return v + 1;
}
instruction PICK {
  encoding 00001100;
  syntax "pick";
  semantics { R[1] = pick(R[2]); if R[1] == 0xA0 { return; } W = 0x22; }
}
`;
}

function checkIsa(text: string): IR.Isa {
  const file = resolve("/virtual/tiny.isa");
  const loaded = loadSpec(file, (p) => {
    if (resolve(p) !== file) throw Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" });
    return text;
  });
  const checked = checkSpec(loaded);
  expect(checked.diagnostics.items.filter((d) => d.severity === "error").map((d) => `${d.code}@${d.span.line}: ${d.message}`)).toEqual([]);
  return checked.isa!;
}

const isaCache = new Map<string, IR.Isa>();
function tinyIsa(o: SpecOptions = {}): IR.Isa {
  const text = tinySpec(o);
  if (!isaCache.has(text)) isaCache.set(text, checkIsa(text));
  return isaCache.get(text)!;
}

/** A machine with `program` assembled and loaded, plus name-based register access. */
function boot(program: string, o: SpecOptions & { interp?: InterpreterOptions } = {}) {
  const isa = tinyIsa(o);
  const asm = assemble(isa, program);
  expect(asm.errors).toEqual([]);
  const machine = new Machine(isa, undefined, o.interp);
  for (const s of asm.segments) machine.load(s.address, s.units);
  const id = (name: string) => {
    const el = isa.state.find((e) => e.name === name);
    if (!el) throw new Error(`no state element ${name}`);
    return el.id;
  };
  return {
    isa,
    machine,
    asm,
    reg: (name: string, index = 0) => machine.state.reg(id(name), index),
    set: (name: string, value: bigint, index = 0) => machine.state.setReg(id(name), index, value),
    mem: (addr: number) => machine.state.readUnit(BigInt(addr)),
    steps: (n: number) => {
      const out: StepResult[] = [];
      for (let i = 0; i < n; i++) out.push(machine.step());
      return out;
    },
  };
}

function expectTrap(r: StepResult): TrapEvent {
  expect(r.kind).toBe("trap");
  if (r.kind !== "trap") throw new Error("not a trap");
  return r.trap;
}

describe("precise traps", () => {
  it("an instruction that writes a register, memory and output and then traps leaves no trace", () => {
    const m = boot("li r1, 7\nboom r1, 9\n");
    const [first, second] = m.steps(2);
    expect(first!.kind).toBe("retired");
    const t = expectTrap(second!);
    expect(t.cause.name).toBe("boom");
    expect(t.info).toBe(9n);
    expect(t.instruction?.name).toBe("BOOM");
    expect(t.fromTick).toBe(false);
    // Nothing BOOM wrote survived.
    expect(m.reg("R", 1)).toBe(7n);
    expect(m.reg("W")).toBe(0n);
    expect(m.mem(0x20)).toBe(0n);
    expect(m.machine.state.output).toEqual([]);
  });

  it("the trap entry sees the PC of the trapping instruction and the address after it", () => {
    const m = boot("li r1, 7\nboom r1, 9\n");
    const t = expectTrap(m.steps(2)[1]!);
    expect(t.pc).toBe(2n);
    expect(t.nextPc).toBe(4n);
    expect(m.reg("EPC")).toBe(2n);
    expect(m.reg("NPC")).toBe(4n);
    expect(m.reg("CAUSE")).toBe(2n);
    expect(m.reg("INFO")).toBe(9n);
    expect(m.reg("P")).toBe(0xc0n);
  });

  it("a trap raised by translation during a store is precise too", () => {
    const m = boot("li r1, 5\nst r1, 0xF5\n");
    const t = expectTrap(m.steps(2)[1]!);
    expect(t.cause.name).toBe("fault");
    expect(t.cause.isMemory).toBe(true);
    expect(t.info).toBe(0xf5n);
    expect([t.pc, t.nextPc]).toEqual([2n, 4n]);
    expect(m.mem(0xf5)).toBe(0n);
    expect(m.reg("EPC")).toBe(2n);
  });

  it("an undefined instruction traps with the undefined cause at its own address", () => {
    const m = boot(".org 0\nnop\n.byte 0xFF\n");
    const t = expectTrap(m.steps(2)[1]!);
    expect(t.cause.name).toBe("illegal");
    expect(t.instruction).toBeNull();
    expect([t.pc, t.nextPc]).toEqual([1n, 1n]);
    expect([m.reg("EPC"), m.reg("NPC"), m.reg("CAUSE")]).toEqual([1n, 1n, 1n]);
  });
});

describe("tick", () => {
  it("runs before every instruction; its trap keeps its own effects and skips the instruction", () => {
    const m = boot("nop\nnop\nli r1, 5\nhlt\n", { tick: true });
    m.set("TLIM", 3n);
    const [a, b, c] = m.steps(3);
    expect([a!.kind, b!.kind]).toEqual(["retired", "retired"]);
    const t = expectTrap(c!);
    expect(t.cause.name).toBe("timer");
    expect(t.fromTick).toBe(true);
    expect(t.instruction).toBeNull();
    // Raised before the instruction at 2: the trap entry sees P = next_pc = 2.
    expect([t.pc, t.nextPc]).toEqual([2n, 2n]);
    expect([m.reg("EPC"), m.reg("NPC")]).toEqual([2n, 2n]);
    // tick's increment stayed, the instruction did not run.
    expect(m.reg("TICKS")).toBe(3n);
    expect(m.reg("R", 1)).toBe(0n);
  });

  it("counts once per step when it does not trap", () => {
    const m = boot("nop\nnop\nnop\nhlt\n", { tick: true });
    const r = m.machine.run({ maxSteps: 100 });
    expect(r.status).toBe("halted");
    expect(r.steps).toBe(4);
    expect(m.reg("TICKS")).toBe(4n);
  });
});

describe("either", () => {
  it("takes the first branch by default", () => {
    const m = boot("either\n");
    m.steps(1);
    expect(m.reg("R", 1)).toBe(1n);
  });

  it("takes the branch options.choose picks, and tells it how many there are", () => {
    const asked: number[] = [];
    const m = boot("either\n", {
      interp: {
        choose: (n: number) => {
          asked.push(n);
          return 2;
        },
      },
    });
    m.steps(1);
    expect(asked).toEqual([3]);
    expect(m.reg("R", 1)).toBe(3n);
  });
});

describe("return", () => {
  const run = (v: bigint, choice = 0) => {
    const m = boot("pick\n", { interp: { choose: () => choice } });
    m.set("R", v, 2);
    m.set("R", 0x55n, 3);
    m.steps(1);
    return { r1: m.reg("R", 1), r3: m.reg("R", 3), w: m.reg("W") };
  };

  it("ends the function with its value, from any depth, and runs nothing after it", () => {
    expect(run(0n)).toEqual({ r1: 0xa0n, r3: 0x55n, w: 0n });
    expect(run(5n)).toEqual({ r1: 0xa1n, r3: 0x55n, w: 0x22n });
    expect(run(5n, 1)).toEqual({ r1: 0xa2n, r3: 0xeen, w: 0x22n });
    expect(run(0x20n)).toEqual({ r1: 0x21n, r3: 0x33n, w: 0x22n });
  });

  it("in an instruction's semantics ends the instruction, and the next one runs as usual", () => {
    const m = boot("pick\npick\n");
    m.set("R", 0n, 2);
    m.steps(1);
    expect(m.reg("W")).toBe(0n);
    m.set("R", 0x20n, 2);
    m.steps(1);
    expect([m.reg("R", 1), m.reg("W")]).toEqual([0x21n, 0x22n]);
  });
});

describe("translation", () => {
  // The program is linked at virtual 0 and loaded at physical 0x40, where OFF = 0x40 points.
  const program = ".org 0, 0x40\nld r1, 0x10\nst r1, 0x11\nldp r2, 0x10\nhlt\n";

  it("applies to fetch, loads and stores, but not to physical accesses", () => {
    const m = boot(program);
    m.set("OFF", 0x40n);
    m.machine.load(0x50n, [0xabn]);
    m.machine.load(0x10n, [0x77n]);
    const r = m.machine.run({ maxSteps: 100 });
    expect(r.status).toBe("halted");
    expect(r.steps).toBe(4);
    expect(m.reg("P")).toBe(6n);
    expect(m.reg("R", 1)).toBe(0xabn); // mem[0x10] read physical 0x50
    expect(m.mem(0x51)).toBe(0xabn); // mem[0x11] wrote physical 0x51
    expect(m.mem(0x11)).toBe(0n);
    expect(m.reg("R", 2)).toBe(0x77n); // E[0x10] is physical 0x10
  });

  it("without relocation the same program is not found (fetch really is translated)", () => {
    const m = boot(program);
    const r = m.machine.run({ maxSteps: 10 });
    expect(r.status).toBe("limit"); // physical 0.. holds zeros: NOPs
    expect(m.reg("R", 1)).toBe(0n);
  });

  it("passes the access kind: a fetch fault happens on fetch only", () => {
    const m = boot("nop\n");
    m.set("P", 0xe4n);
    const t = expectTrap(m.machine.step());
    expect(t.cause.name).toBe("fault");
    expect(t.info).toBe(0xe4n);
    expect(t.instruction).toBeNull();
    expect([t.pc, t.nextPc]).toEqual([0xe4n, 0xe4n]);
    // Reading and writing 0xE4 (below the write limit) are fine.
    const d = boot("li r1, 3\nst r1, 0xE4\nld r2, 0xE4\nld r3, 0xF5\nhlt\n");
    expect(d.machine.run({ maxSteps: 10 }).status).toBe("halted");
    expect(d.mem(0xe4)).toBe(3n);
    expect(d.reg("R", 2)).toBe(3n);
  });
});

describe("translation reads its tables as the instruction found them", () => {
  // Relocation by a table entry in memory (physical 0xFF). STLD stores into the table through a
  // virtual address that maps onto it, then loads: the load is translated with the old entry, as if
  // a TLB held the translation for the whole instruction.
  const text = `isa tlb;
memory E: bits(8)[256], little, fetch 8;
register P: bits(8) user pc = 0;
register M: bits(1) control = 0;
register R[2]: bits(8) user;
privilege M { sup = 0; usr = 1; }
cause illegal = 1 undefined;
translate(a: bits(8), access: bits(2)) -> bits(8) { return a + E[0xFF]; }
trap entry(code: bits(2)) { halt; }
instruction STLD { encoding 00000001; syntax "stld"; semantics { mem[0x7F] = R[0]; R[1] = mem[0x10]; } }
instruction HLT { encoding 00000000; syntax "hlt"; semantics { halt; } }
`;

  it("a store into the table does not change the translation of the same instruction's next access", () => {
    const isa = checkIsa(text);
    const m = new Machine(isa);
    m.load(0x80n, [1n, 0n]); // stld; hlt at virtual 0 = physical 0x80
    m.load(0xffn, [0x80n]); // the table entry
    m.load(0x90n, [0xaan]); // virtual 0x10 under the old entry
    m.load(0x20n, [0xbbn]); // virtual 0x10 under the new entry (0x10)
    m.state.setReg(isa.state.find((e) => e.name === "R")!.id, 0, 0x10n);
    expect(m.step().kind).toBe("retired");
    expect(m.state.readUnit(0xffn)).toBe(0x10n); // the store went to the table
    expect(m.state.reg(isa.state.find((e) => e.name === "R")!.id, 1)).toBe(0xaan); // old translation
    // The next instruction is fetched through the new entry: virtual 1 is physical 0x11 (zero: HLT).
    expect(m.step().kind).toBe("halted");
    expect(m.state.pc).toBe(1n);
  });
});

describe("endianness of multi-unit accesses", () => {
  for (const endian of ["little", "big"] as const) {
    it(`mem[a, 4] on a ${endian}-endian memory`, () => {
      const m = boot("lw 0x30\nsw 0x38\nhlt\n", { endian });
      m.machine.load(0x30n, [0x11n, 0x22n, 0x33n, 0x44n]);
      m.steps(1);
      expect(m.reg("W")).toBe(endian === "little" ? 0x44332211n : 0x11223344n);
      m.steps(1);
      // Stored back the way it was read.
      expect([0x38, 0x39, 0x3a, 0x3b].map(m.mem)).toEqual([0x11n, 0x22n, 0x33n, 0x44n]);
    });

    it(`a 32-bit store lays out its bytes ${endian}-endian`, () => {
      const m = boot("sw 0x38\nhlt\n", { endian });
      m.set("W", 0xa1b2c3d4n);
      m.steps(1);
      const bytes = [0x38, 0x39, 0x3a, 0x3b].map(m.mem);
      expect(bytes).toEqual(endian === "little" ? [0xd4n, 0xc3n, 0xb2n, 0xa1n] : [0xa1n, 0xb2n, 0xc3n, 0xd4n]);
    });
  }
});

describe("hard-wired and banked registers", () => {
  it("R[0] reads 0 and ignores writes; other entries are ordinary", () => {
    const m = boot("li r0, 5\nli r2, 6\nmov r1, r0\nmov r3, r2\nhlt\n");
    m.machine.run({ maxSteps: 10 });
    expect(m.reg("R", 0)).toBe(0n);
    expect(m.reg("R", 1)).toBe(0n);
    expect(m.reg("R", 2)).toBe(6n);
    expect(m.reg("R", 3)).toBe(6n);
  });

  it("R[0] reads 0 even when its storage holds something else", () => {
    const m = boot("mov r1, r0\nhlt\n");
    m.set("R", 9n, 0);
    m.set("R", 4n, 1);
    m.steps(1);
    expect(m.reg("R", 1)).toBe(0n);
  });

  // Found by the difftest against qemu-riscv32 ('lhu zero, -323(s6)' did not fault on popek): a
  // load whose result is discarded by a hard-wired destination still accesses memory, and can trap
  // (RISC-V U §2.6).
  it("a load into R[0] still reads memory", () => {
    const reads: bigint[] = [];
    const m = boot("ld r0, 0x30\nld r1, 0x31\nhlt\n", { interp: { onAccess: (kind, va) => kind === "read" && va !== null && reads.push(va) } });
    m.steps(2);
    expect(reads).toEqual([0x30n, 0x31n]);
  });

  it("SP selects its storage by the mode", () => {
    const m = boot("wsp 0x11\nsetm 1\nwsp 0x22\nrsp r1\nsetm 0\nrsp r2\nhlt\n");
    const sp = (bank: string) => m.reg(`SP_${bank}`);
    m.steps(1);
    expect([sp("sup"), sp("usr")]).toEqual([0x11n, 0n]);
    m.steps(2);
    expect([sp("sup"), sp("usr")]).toEqual([0x11n, 0x22n]);
    m.steps(3);
    expect(m.reg("R", 1)).toBe(0x22n);
    expect(m.reg("R", 2)).toBe(0x11n);
    expect(m.machine.step().kind).toBe("halted");
  });
});

describe("partial writes (slices, bits, fields) of banked and hard-wired registers", () => {
  const text = `isa partial;
memory E: bits(8)[256], little, fetch 8;
register P: bits(8) user pc = 0;
register M: bits(1) control = 0;
register R[4]: bits(8) user;
register F: bits(8) control { LOW[1:0] };
register Z: bits(8) control;
privilege M { sup = 0; usr = 1; }
hardwire R[0] = 0;
hardwire F.LOW = 0;
hardwire Z = 0;
banked SP: bits(8) user by M { sup = 0; usr = 1; }
cause illegal = 1 undefined;
trap entry(code: bits(2)) { halt; }
operand reg = [r0, r1, r2, r3];
instruction HLT { encoding 00000000; syntax "hlt"; semantics { halt; } }
instruction SETM { encoding 0000001 m:1; syntax "setm {m}"; semantics { M = m; } }
instruction WSP { encoding 00000100 imm:8; syntax "wsp {imm}"; semantics { SP = imm; } }
instruction WSPLO { encoding 00000101 imm:8; syntax "wsplo {imm}"; semantics { SP[3:0] = imm[3:0]; } }
instruction WSP7 { encoding 00000110; syntax "wsp7"; semantics { SP[7] = 1; } }
instruction SETF { encoding 00000111; syntax "setf"; semantics { F[5:0] = 0b111111; Z[0] = 1; F.LOW[1] = 1; } }
instruction LI { encoding 000010 rd:2 imm:8; syntax "li {rd:reg}, {imm}"; semantics { R[rd] = imm; } }
instruction SETLO { encoding 000011 rd:2 imm:8; syntax "setlo {rd:reg}, {imm}"; semantics { R[rd][3:0] = imm[3:0]; R[rd][7] = 1; } }
instruction MOV { encoding 0001 rd:2 rs:2; syntax "mov {rd:reg}, {rs:reg}"; semantics { R[rd] = R[rs]; } }
`;
  const run = (program: string, steps: number) => {
    const isa = checkIsa(text);
    const asm = assemble(isa, program);
    expect(asm.errors).toEqual([]);
    const m = new Machine(isa);
    for (const s of asm.segments) m.load(s.address, s.units);
    for (let i = 0; i < steps; i++) m.step();
    return (name: string, index = 0) => m.state.reg(isa.state.find((e) => e.name === name)!.id, index);
  };

  it("a slice or bit of a banked register writes the bank the selector picks, keeping its other bits", () => {
    const program = "wsp 0x55\nsetm 1\nwsp 0x66\nwsplo 0x0F\nwsp7\nsetm 0\nwsplo 0x03\nhlt\n";
    // In user mode (M = 1) both partial writes go to SP_usr; SP_sup is untouched.
    const user = run(program, 5);
    expect([user("SP_sup"), user("SP_usr")]).toEqual([0x55n, 0xefn]);
    // Back in supervisor mode the partial write goes to SP_sup.
    const sup = run(program, 7);
    expect([sup("SP_sup"), sup("SP_usr")]).toEqual([0x53n, 0xefn]);
  });

  it("a slice of a register with a hard-wired field keeps the wired bits; a bit of a hard-wired register is dropped", () => {
    const reg = run("setf\nhlt\n", 1);
    expect(reg("F")).toBe(0b00111100n);
    expect(reg("Z")).toBe(0n);
  });

  it("a slice or bit of a hard-wired register-file entry is dropped; other entries are written in part", () => {
    const reg = run("li r2, 0x50\nsetlo r0, 0x0A\nsetlo r2, 0x0A\nmov r1, r0\nhlt\n", 4);
    expect(reg("R", 0)).toBe(0n);
    expect(reg("R", 1)).toBe(0n);
    expect(reg("R", 2)).toBe(0xdan);
  });
});

describe("signed and dividing operations", () => {
  /** Runs one two-register instruction `op r1, r2` with R[1] = a, R[2] = b; returns R[1]. */
  const op = (mnemonic: string, a: bigint, b: bigint): bigint => {
    const m = boot(`${mnemonic} r1, r2\n`);
    m.set("R", a, 1);
    m.set("R", b, 2);
    expect(m.machine.step().kind).toBe("retired");
    return m.reg("R", 1);
  };

  it("<s compares two's-complement values, < unsigned ones", () => {
    expect(op("slt", 0x80n, 0x01n)).toBe(1n); // -128 < 1
    expect(op("ult", 0x80n, 0x01n)).toBe(0n); // 128 > 1
    expect(op("slt", 0x01n, 0xffn)).toBe(0n); // 1 > -1
    expect(op("ult", 0x01n, 0xffn)).toBe(1n);
    expect(op("slt", 0xfen, 0xffn)).toBe(1n); // -2 < -1
    expect(op("slt", 0x05n, 0x05n)).toBe(0n);
  });

  it("sdiv and srem truncate towards zero", () => {
    expect(op("sdiv", 0xf9n, 2n)).toBe(0xfdn); // -7 / 2 = -3
    expect(op("srem", 0xf9n, 2n)).toBe(0xffn); // -7 % 2 = -1
    expect(op("sdiv", 7n, 0xfen)).toBe(0xfdn); // 7 / -2 = -3
    expect(op("srem", 7n, 0xfen)).toBe(1n); // 7 % -2 = 1
    expect(op("sdiv", 0x80n, 0xffn)).toBe(0x80n); // -128 / -1 wraps
  });

  it("division by zero follows SMT-LIB", () => {
    expect(op("sdiv", 0xf9n, 0n)).toBe(1n); // negative / 0 = 1
    expect(op("sdiv", 7n, 0n)).toBe(0xffn); // non-negative / 0 = -1
    expect(op("sdiv", 0n, 0n)).toBe(0xffn);
    expect(op("srem", 0xf9n, 0n)).toBe(0xf9n); // x % 0 = x
    expect(op("srem", 7n, 0n)).toBe(7n);
    expect(op("udiv", 7n, 0n)).toBe(0xffn); // all ones
    expect(op("urem", 7n, 0n)).toBe(7n);
    expect(op("udiv", 0xf9n, 2n)).toBe(0x7cn);
  });
});

describe("Machine.run and its trap hook", () => {
  const program = "li r1, 1\nboom r2, 9\nli r3, 3\nhlt\n";

  it("deliver: the spec's trap entry runs", () => {
    const m = boot(program);
    const seen: TrapEvent[] = [];
    const r = m.machine.run({
      maxSteps: 3,
      onTrap: (t, machine) => {
        expect(machine).toBe(m.machine);
        seen.push(t);
        return "deliver";
      },
    });
    expect(seen.map((t) => [t.cause.name, t.pc, t.nextPc])).toEqual([["boom", 2n, 4n]]);
    expect(r.status).toBe("limit");
    expect(r.steps).toBe(3);
    expect(m.reg("CAUSE")).toBe(2n);
    // The third step ran the (empty) handler area at 0xC0: a NOP.
    expect(m.reg("P")).toBe(0xc1n);
  });

  it("handled: the trap entry does not run and the hook may emulate the instruction", () => {
    const m = boot(program);
    const decisions: TrapDecision[] = [];
    const r = m.machine.run({
      maxSteps: 100,
      onTrap: (t, machine) => {
        machine.state.pc = t.nextPc;
        decisions.push("handled");
        return "handled";
      },
    });
    expect(decisions).toHaveLength(1);
    expect(r.status).toBe("halted");
    expect(r.steps).toBe(4);
    expect(m.reg("CAUSE")).toBe(0n);
    expect(m.reg("EPC")).toBe(0n);
    expect(m.reg("R", 2)).toBe(0n); // the trapping instruction still left no trace
    expect(m.reg("R", 3)).toBe(3n);
  });

  it("handled without moving the PC retries the instruction", () => {
    const m = boot(program);
    let calls = 0;
    const r = m.machine.run({ maxSteps: 10, onTrap: () => (calls++, "handled") });
    expect(r.status).toBe("limit");
    expect(calls).toBe(9);
    expect(m.reg("P")).toBe(2n);
  });

  it("stop: the run ends at the trap, with the state as before the instruction", () => {
    const m = boot(program);
    const r = m.machine.run({ maxSteps: 100, onTrap: () => "stop" });
    expect(r.status).toBe("stopped");
    expect(r.steps).toBe(2);
    expect(r.last?.kind).toBe("trap");
    if (r.last?.kind === "trap") {
      expect(r.last.decision).toBe("stop");
      expect(r.last.trap.instruction?.name).toBe("BOOM");
    }
    expect(m.reg("P")).toBe(2n);
    expect(m.reg("R", 1)).toBe(1n);
    expect(m.reg("R", 2)).toBe(0n);
    expect(m.reg("CAUSE")).toBe(0n);
  });

  it("halt ends the run, and a halted machine stays halted", () => {
    const m = boot("li r1, 1\nhlt\nli r1, 2\n");
    const r = m.machine.run({ maxSteps: 100 });
    expect(r).toMatchObject({ status: "halted", steps: 2 });
    expect(m.machine.state.halted).toBe(true);
    // The PC stays on the halting instruction (li is two bytes).
    expect(m.reg("P")).toBe(2n);
    expect(m.machine.step()).toEqual({ kind: "halted", pc: 2n });
    expect(m.reg("R", 1)).toBe(1n);
  });

  it("onStep sees every step result in order", () => {
    const m = boot("nop\nli r1, 1\nhlt\n");
    const kinds: string[] = [];
    m.machine.run({ maxSteps: 100, onStep: (s) => kinds.push(s.kind === "retired" ? s.decoded.instruction.name : s.kind) });
    expect(kinds).toEqual(["NOP", "LI", "halted"]);
  });
});

it("onBranch is told which way each decision went: if statements, conditional expressions, the left operand of && and ||, comparisons", () => {
  const isa = checkSpec(loadSpec("t.isa", () => `isa t "decisions";
memory E: bits(8)[256], little, fetch 8;
register M: bits(8) control;
register X: bits(8) user;
register P: bits(8) user pc;
privilege M[0:0] { supervisor = 0; user = 1; }
cause illegal = 0 undefined;
trap entry(code: bits(1)) { M = 0; }
instruction I { encoding 00000001; syntax "i"; semantics { if X == 2 && X != 3 { X = if X == 2 then 4 else 5; } } }
config c { guest user; }
`)).isa!;
  const seen: [string, boolean][] = [];
  const s = new MachineState(isa);
  s.setReg(isa.state.find((e) => e.name === "X")!.id, 0, 2n);
  s.writeUnit(0n, 1n);
  const m = new Machine(isa, s, { onBranch: (node, taken) => seen.push([node.kind === "binary" ? node.op : node.kind, taken]) });
  m.step(() => "stop", { tick: false });
  expect(s.reg(isa.state.find((e) => e.name === "X")!.id)).toBe(4n);
  expect(seen).toEqual([["eq", true], ["land", true], ["ne", true], ["if", true], ["eq", true], ["ite", true]]);
});
