/**
 * The parts of a peer's test ELF that do not depend on the ISA: where things are placed, the linker
 * script that places them, and the sections that hold the program's data and seeded values. Each
 * peer writes only its prologue (load the seeded state), the program and its epilogue (write the
 * state out through Linux's write system call), in its own assembly language.
 *
 * Every peer uses the same addresses, chosen to be mapped and free in a qemu-user process: the
 * prologue/epilogue text at 0x10000, the program on the next page, the data area on its own page.
 */
import { byteLines, hex, littleEndian, type Image, type Layout } from "../peer.js";

/** Where the prologue and epilogue live (the ELF's entry). */
const TEXT = 0x10000n;

export const LAYOUT: Layout = { prog: 0x11000n, data: 0x20000n, dataSize: 4096 };

export interface ScriptOptions {
  /**
   * Reserve page 0 as a segment of its own, for an epilogue that stores registers zero-relative
   * (RISC-V has no free base register once every register belongs to the program).
   */
  readonly savePage?: boolean;
  /** Sections the toolchain adds that the process does not need (attributes, notes). */
  readonly discard: readonly string[];
}

/** The linker script: text, the writable and executable program section, then data area and seeds. */
export function linkerScript(options: ScriptOptions): string {
  const save = options.savePage ?? false;
  const headers = [...(save ? ["save"] : []), "text", "prog", "data"].map((h) => `${h} PT_LOAD;`).join(" ");
  return `PHDRS { ${headers} }
SECTIONS {
${save ? "  . = 0x0;\n  .save : { . = . + 0x1000; } :save\n" : ""}  . = ${hex(TEXT)};
  .text : { *(.text) } :text
  . = ${hex(LAYOUT.prog)};
  .prog : { *(.prog) } :prog
  . = ${hex(LAYOUT.data)};
  .area : { *(.area) } :data
  .data : { *(.data) } :data
  /DISCARD/ : { ${options.discard.map((s) => `*(${s})`).join(" ")} }
}
`;
}

/**
 * The data area (label `area`, the program's memory) and the seeded values (label `init`, one
 * little-endian word per seeded Observed, in order), followed by `after` (more .data lines).
 */
export function dataSections(image: Image, after = ""): string {
  return `  .section .area, "aw"
area:
${byteLines(image.data)}

  .section .data
  .balign 4
init:
${byteLines(image.init.flatMap((v) => littleEndian(v, 4)))}
${after}`;
}

/** The little-endian word of up to four memory units starting at `i`. */
export function wordAt(units: readonly bigint[], i: number): bigint {
  return units.slice(i, i + 4).reduce((w, u, k) => w | (u << BigInt(8 * k)), 0n);
}
