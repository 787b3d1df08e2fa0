/**
 * ARMv7-A (A32) against GNU binutils (Debian's binutils-arm-none-eabi, -march=armv7-a) and qemu-arm
 * (Debian's qemu-user) with `-cpu cortex-a8`, an ARMv7-A core.
 *
 * User environment (the Linux process qemu-user runs): User mode (CPSR.M = 10000) with the A, I and F
 * masks clear, and the MMU off on popek's side (SCTLR.M = 0): the process sees its virtual addresses
 * flat, which is what the spec's translation gives with the MMU off. SCTLR.A = 0: unaligned LDR and
 * STR are allowed, as Linux configures the core. The observed state is R0-R12, the User-mode SP and
 * LR (the only banks User mode can reach) and the APSR's N Z C V Q and GE bits.
 *
 * The epilogue stores R0 PC-relative (the program section is writable), then the rest through R0.
 */
import { hex, type Image, type Observed, type Peer } from "../peer.js";
import { dataSections, LAYOUT, linkerScript, wordAt } from "./elf.js";

const observed: Observed[] = [
  ...Array.from({ length: 13 }, (_, i) => ({ label: `r${i}`, element: "R", index: i, mask: 0xffffffffn, seeded: true })),
  { label: "sp", element: "SP_usr", index: 0, mask: 0xffffffffn, seeded: true },
  { label: "lr", element: "LR_usr", index: 0, mask: 0xffffffffn, seeded: true },
  // A2.4: N Z C V Q (31-27) and GE[3:0] (19-16); the other bits are not the program's.
  { label: "apsr", element: "APSR", index: 0, mask: 0xf80f0000n, seeded: true },
];

function source(image: Image): string {
  const code: string[] = [];
  for (let i = 0; i < image.code.length; i += 4) code.push(`  .inst ${hex(wordAt(image.code, i))}`);
  return `  .syntax unified
  .arm
  .section .text, "ax"
  .globl _start
_start:
  movw r0, #:lower16:init
  movt r0, #:upper16:init
  ldr r1, [r0, #60]
  msr APSR_nzcvqg, r1
  ldr sp, [r0, #52]
  ldr lr, [r0, #56]
  ldm r0, {r0-r12}
  b prog

  .section .prog, "awx"
prog:
${code.join("\n")}
end:
  str r0, save
  adr r0, save
${Array.from({ length: 12 }, (_, i) => `  str r${i + 1}, [r0, #${4 * (i + 1)}]`).join("\n")}
  str sp, [r0, #52]
  str lr, [r0, #56]
  mrs r1, APSR
  str r1, [r0, #60]
  mov r7, #4
  mov r0, #1
  adr r1, save
  mov r2, #64
  svc #0
  mov r7, #4
  mov r0, #1
  movw r1, #:lower16:area
  movt r1, #:upper16:area
  mov r2, #${LAYOUT.dataSize}
  svc #0
  mov r7, #1
  mov r0, #0
  svc #0
  .balign 4
save:
  .space 64

${dataSections(image)}`;
}

/**
 * Notation only: a rotated immediate '#imm8, rot' (the spec's templates cannot expand it) becomes the
 * constant objdump prints (A5.2.4), and objdump's aliases become the spec's names: 'ldmia'/'stmia'
 * are 'ldm'/'stm', 'pop'/'push' are 'ldm sp!'/'stmdb sp!' (A8.8.131, A8.8.133).
 */
function normalize(text: string): string {
  return text
    .replace(/#(\d+), (\d+)\b/, (_, imm: string, rot: string) => {
      const r = Number(rot) % 32;
      const v = BigInt(imm);
      return `#${BigInt.asUintN(32, (v >> BigInt(r)) | (v << BigInt(32 - r)))}`;
    })
    .replace(/^(ldm|stm)ia/, "$1")
    .replace(/^pop(\S*) \{/, "ldm$1 sp!, {")
    .replace(/^push(\S*) \{/, "stmdb$1 sp!, {");
}

export const armv7: Peer = {
  isa: "armv7",
  name: "qemu-arm",
  description: "GNU binutils (arm-none-eabi, -march=armv7-a) and qemu-arm -cpu cortex-a8",
  as: { cmd: "arm-none-eabi-as", args: ["-march=armv7-a"] },
  ld: { cmd: "arm-none-eabi-ld", args: ["-z", "max-page-size=4096", "--no-warn-rwx-segments"] },
  objdump: { cmd: "arm-none-eabi-objdump", args: ["-d"] },
  qemu: { cmd: "qemu-arm", args: ["-cpu", "cortex-a8"] },
  asHeader: "  .syntax unified",
  fill: 0,
  instructionLine: (units) => `.inst ${hex(wordAt(units, 0))}`,
  normalize,
  layout: LAYOUT,
  environment: [
    ["CPSR", 0x10n],
    ["SCTLR", 0n],
  ],
  observed,
  source,
  linkerScript: linkerScript({ discard: [".ARM.attributes"] }),
  encodingExcluded: new Map(),
  excluded: new Map(),
  // MSR to the CPSR's x byte (bits 15-8) can set E, the data endianness bit, which User mode may
  // write (B1.3.3 CPSRWriteByInstr); the spec models little-endian data only and ignores writes of E
  // (armv7/machine.isa, "Program status"), so those forms are left out.
  allowsForm: (name, fields) => !((name === "MSR" || name === "MSR_IMM") && (fields.get("pm")! & 0b10010n) === 0b00010n),
  forbidden: [],
};
