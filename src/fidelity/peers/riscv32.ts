/**
 * RV32I against GNU binutils (Debian's binutils-riscv64-unknown-elf, -march=rv32i_zicsr) and
 * qemu-riscv32 (Debian's qemu-user) with `-cpu rv32,c=false`: no compressed instructions, so a jump
 * to an address that is not 4-byte aligned is misaligned on both sides (IALIGN = 32, as the spec).
 *
 * User environment (the Linux process qemu-user runs): U-mode, satp.MODE = Bare (the process sees
 * its virtual addresses flat, which is what the spec's bare translation gives), counters not enabled
 * for U-mode (mcounteren = 0, so cycle/time/instret trap on popek: time is not semantics).
 *
 * The epilogue needs a base register to store the registers with, and every register belongs to the
 * program; it stores them x0-relative to the save area at address 0 (qemu-user maps guest page 0).
 */
import { hex, type Image, type Observed, type Peer } from "../peer.js";
import { dataSections, LAYOUT, linkerScript, wordAt } from "./elf.js";

const observed: Observed[] = Array.from({ length: 32 }, (_, i) => ({
  label: `x${i}`,
  element: "x",
  index: i,
  mask: 0xffffffffn,
  seeded: i !== 0,
}));

function source(image: Image): string {
  const code: string[] = [];
  for (let i = 0; i < image.code.length; i += 4) code.push(`  .4byte ${hex(wordAt(image.code, i))}`);
  return `  .section .text, "ax"
  .globl _start
_start:
  lui x31, %hi(init)
  addi x31, x31, %lo(init)
${observed.filter((o) => o.seeded && o.index !== 31).map((o) => `  lw x${o.index}, ${4 * o.index}(x31)`).join("\n")}
  lw x31, 124(x31)
  jal x0, prog

  .section .prog, "awx"
prog:
${code.join("\n")}
end:
${observed.map((o) => `  sw x${o.index}, ${4 * o.index}(x0)`).join("\n")}
  li a7, 64
  li a0, 1
  li a1, 0
  li a2, 128
  ecall
  li a7, 64
  li a0, 1
  lui a1, %hi(area)
  addi a1, a1, %lo(area)
  li a2, ${LAYOUT.dataSize}
  ecall
  li a7, 93
  li a0, 0
  ecall

${dataSections(image)}`;
}

const STAND_IN = "a custom-0 stand-in for a platform device (see the spec's header): not an instruction GNU binutils or qemu know";

export const riscv32: Peer = {
  isa: "riscv32",
  name: "qemu-riscv32",
  description: "GNU binutils (riscv64-unknown-elf, -march=rv32i_zicsr) and qemu-riscv32 -cpu rv32,c=false",
  as: { cmd: "riscv64-unknown-elf-as", args: ["-march=rv32i_zicsr", "-mabi=ilp32"] },
  ld: { cmd: "riscv64-unknown-elf-ld", args: ["-m", "elf32lriscv", "-z", "max-page-size=4096"] },
  objdump: { cmd: "riscv64-unknown-elf-objdump", args: ["-d", "-M", "no-aliases"] },
  qemu: { cmd: "qemu-riscv32", args: ["-cpu", "rv32,c=false"] },
  asHeader: "  .option norelax",
  fill: 0,
  instructionLine: (units) => `.insn ${hex(wordAt(units, 0))}`,
  // objdump spells an empty FENCE set (a HINT, U §2.9) 'unknown', the spec '0'.
  normalize: (text) => text.replace(/\bunknown\b/g, "0"),
  layout: LAYOUT,
  environment: [
    ["priv", 0n],
    ["satp", 0n],
    ["mcounteren", 0n],
    ["scounteren", 0n],
  ],
  observed,
  source,
  linkerScript: linkerScript({ savePage: true, discard: [".riscv.attributes"] }),
  encodingExcluded: new Map([
    ["CONSOLE_OUT", STAND_IN],
    ["HALT", STAND_IN],
    // U §2.7: FENCE's fm, rs1 and rd fields are reserved and implementations ignore them (the spec
    // decodes such words as FENCE); GNU binutils prints them as data. qemu runs them as FENCE.
    ["FENCE/3", "a FENCE with reserved fields set, which U §2.7 says to ignore; GNU binutils prints it as data"],
  ]),
  excluded: new Map(),
  allowsForm: () => true,
  forbidden: [],
};
