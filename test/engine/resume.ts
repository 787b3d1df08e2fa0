/**
 * Trap handlers that return into the random program, per bundled ISA, so the equivalence property
 * covers what runs after a trap and not only the first one. Each is written in the ISA's own
 * assembly syntax (popek's assembler encodes it from the spec) and follows the spec's trap entry:
 *
 * - pg (pg/machine.isa, trap entry): the old PSW goes to E[0], the new one comes from E[1]; a
 *   supervisor call resumes after the SVC, anything else at the trapping instruction. The handler
 *   steps the old PSW's P past the instruction (unless the cause is svc) and reloads it with LPSW.
 * - s370 (s370/machine.isa, trap entry): each class stores its old PSW (external 24, SVC 32,
 *   program 40, I/O 56) and loads its new PSW (88, 96, 104, 120); the old PSW points after the
 *   instruction. Each new PSW enters a handler that loads its old PSW again (LPSW); where nothing
 *   was decoded (instruction-length code 0: an operation or specification exception on a fetch
 *   that ran into data or an odd address) the program handler first points it at the program's
 *   start, which would otherwise trap again at once. The program starts at 0x400, clear of the
 *   assigned locations (0-511).
 */
import type * as IR from "../../src/ir/ir.js";
import { assemble } from "../../src/machine/assembler.js";
import type { MachineState } from "../../src/machine/state.js";

interface Resume {
  /** Where the random program starts (the PC at the start). */
  readonly start: bigint;
  readonly source: string;
}

const RESUME: Record<string, Resume> = {
  pg: {
    start: 8n,
    source: `
        .org 1
        .word (1023 << 10) | handler   ; new PSW: supervisor, l = 0, b = 1023
        .org 960
handler: ld r3, 2
        addi r3, -3
        jz r3, resume                  ; svc: the old PSW already points after it
        ld r3, 0
        addi r3, 1
        st r3, 0
resume: lpsw 0
`,
  },
  s370: {
    start: 0x400n,
    source: `
        .org 88
        .word 0x00080000, ext_h        ; 88: external new PSW (EC mode, supervisor, disabled)
        .word 0x00080000, svc_h        ; 96: supervisor call
        .word 0x00080000, pgm_h        ; 104: program
        .org 120
        .word 0x00080000, io_h         ; 120: I/O
        .org 0x300
ext_h:  lpsw 24
svc_h:  lpsw 32
io_h:   lpsw 56
pgm_h:  tm 44,0xc0                     ; ILC of a BC-mode old PSW
        bc 7,pgm_ok
        tm 141,0x06                    ; ILC of an EC-mode program interruption
        bc 7,pgm_ok
        mvc 45(3),restart              ; nothing was decoded (ILC 0): restart the program
pgm_ok: lpsw 40
restart: .byte 0x00, 0x04, 0x00
`,
  },
};

/** Installs the ISA's resuming handlers in state (if it has any); returns the program's start address. */
export function installResume(isa: IR.Isa, state: MachineState): bigint {
  const r = RESUME[isa.name];
  if (!r) return state.pc;
  const asm = assemble(isa, r.source);
  if (asm.errors.length) throw new Error(`${isa.name} resume handlers: ${asm.errors.map((e) => `line ${e.line}: ${e.message}`).join("; ")}`);
  for (const seg of asm.segments) seg.units.forEach((u, i) => state.writeUnit(seg.address + BigInt(i), u));
  state.pc = r.start;
  return r.start;
}
