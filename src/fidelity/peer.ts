/**
 * A peer: a real implementation of an ISA that nobody here wrote (GNU binutils for the encodings,
 * qemu-user for the user-level semantics), and how popek's machine is set up to match it. One file
 * per peer in peers/; this file holds what they share.
 */

/** An external program and its fixed arguments. */
export interface Tool {
  readonly cmd: string;
  readonly args: readonly string[];
}

/** One element of user state that the peer's epilogue writes out and the check compares. */
export interface Observed {
  /** How reports name it ("x5", "R[3]", "APSR"). */
  readonly label: string;
  /** The spec's state element (a register or the storage of one bank of a banked register). */
  readonly element: string;
  readonly index: number;
  /** The bits that are compared and seeded; the others are the environment's. */
  readonly mask: bigint;
  /** Whether the prologue loads it (false for a hard-wired register such as x0). */
  readonly seeded: boolean;
}

/** Where the program and its data live, in the peer's process and on popek's machine alike. */
export interface Layout {
  /** Address of the program's first instruction. */
  readonly prog: bigint;
  /** Address and size in bytes of the data area the program may read and write. */
  readonly data: bigint;
  readonly dataSize: number;
}

/** Everything the ELF needs: the program's units, the seeded values (by Observed), the data area. */
export interface Image {
  readonly code: readonly bigint[];
  readonly init: readonly bigint[];
  readonly data: Uint8Array;
}

export interface Peer {
  /** The spec this peer implements (the `isa` name declared in the spec). */
  readonly isa: string;
  readonly name: string;
  /** One line for reports: which programs, which options. */
  readonly description: string;
  readonly as: Tool;
  readonly ld: Tool;
  readonly objdump: Tool;
  readonly qemu: Tool;
  /** Lines that put GNU as into the syntax of the spec's templates. */
  readonly asHeader: string;
  /** The byte GNU as pads with between instructions (a no-op where instructions are bytes). */
  readonly fill: number;
  /** An assembly line that emits one instruction's memory units and marks them as code. */
  instructionLine(units: readonly bigint[]): string;
  /** Peer-specific rewriting of disassembler text before comparison (notation, not meaning). */
  normalize(text: string): string;
  readonly layout: Layout;
  /**
   * The user-mode environment of the peer's process, set on popek's machine before a program runs:
   * register (or REGISTER.FIELD) name and value. Documented per peer.
   */
  readonly environment: readonly (readonly [string, bigint])[];
  readonly observed: readonly Observed[];
  /** The whole assembly source of the test ELF: prologue, program, epilogue, data. */
  source(image: Image): string;
  /** The linker script that places it. */
  readonly linkerScript: string;
  /**
   * Instructions ('NAME') or encodings ('NAME/k', k from 1) the peer's binutils do not have (a spec's
   * stand-ins for devices, reserved encodings they print as data), with the reason.
   */
  readonly encodingExcluded: ReadonlyMap<string, string>;
  /** Instructions left out of the semantic check, each with the reason (never to hide a bug). */
  readonly excluded: ReadonlyMap<string, string>;
  /**
   * Whether the semantic check may use a form of an instruction (raw field values by name): false for
   * forms whose behaviour on the peer the spec documents as not modelled. Each peer says why.
   */
  allowsForm(instruction: string, fields: ReadonlyMap<string, bigint>): boolean;
  /**
   * State the spec does not model the peer's behaviour for: a program must keep these bits zero
   * (e.g. x86 TF, whose single-step trap the spec leaves out).
   */
  readonly forbidden: readonly { readonly element: string; readonly mask: bigint; readonly reason: string }[];
}

/** The bytes of a value, little-endian. */
export function littleEndian(value: bigint, bytes: number): number[] {
  return Array.from({ length: bytes }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
}

/** `.byte` lines for a buffer, 16 to a line. */
export function byteLines(bytes: Iterable<number>): string {
  const all = [...bytes];
  const lines: string[] = [];
  for (let i = 0; i < all.length; i += 16) lines.push(`  .byte ${all.slice(i, i + 16).join(", ")}`);
  return lines.join("\n");
}

/** 0x-prefixed hex. */
export function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}
