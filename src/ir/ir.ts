/**
 * The one typed, resolved IR of an ISA. The checker builds it from the AST; the machine, the
 * analyzer, the VMM generator and the equivalence tests all consume it and nothing else.
 *
 * Everything is resolved: names are references, every bit-vector has a static width, register
 * fields, banked registers and hard-wired entries are lowered to plain reads and writes, `match`
 * becomes `if` chains and bounded loops are unrolled. What stays primitive is what consumers treat
 * differently: memory access through translation (`load`/`store` with `virtual`), traps, halt,
 * nondeterministic choice (`either`) and output.
 */
import type { Span } from "../syntax/source.js";

export type Type = { readonly kind: "bits"; readonly width: number } | { readonly kind: "bool" };

export const bool: Type = { kind: "bool" };
/** One type object per width, made once: typeOf and widthOf are asked per node by the interpreters. */
const bitsTypes = new Map<number, Type>();

export function bits(width: number): Type {
  let t = bitsTypes.get(width);
  if (!t) bitsTypes.set(width, (t = { kind: "bits", width }));
  return t;
}

// ---------------------------------------------------------------- state

export type Role = "user" | "control";

/** One named piece of machine state: a register or a register file (count !== null). */
export interface StateElement {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
  readonly width: number;
  /** Number of entries for a register file; null for a single register. */
  readonly count: number | null;
  readonly isPc: boolean;
  readonly fields: ReadonlyMap<string, { readonly hi: number; readonly lo: number }>;
  /** Value at reset (every entry, for a register file). */
  readonly reset: bigint;
  /** For a banked register's storage: the alias it belongs to. */
  readonly bankOf: string | null;
  readonly span: Span;
}

export interface BankedRegister {
  readonly name: string;
  readonly width: number;
  readonly role: Role;
  readonly selector: Expr;
  /** Storage element per bank; values null marks the default bank. */
  readonly banks: readonly { readonly element: number; readonly values: readonly bigint[] | null }[];
}

export interface Memory {
  readonly name: string;
  /** Bits per addressable unit (8 for byte-addressed machines, the word size otherwise). */
  readonly unitWidth: number;
  /** Width of a physical address; the memory holds 2^addrWidth units. */
  readonly addrWidth: number;
  readonly endian: "little" | "big";
  /** Bits per instruction fetch unit; encodings are whole multiples of it. */
  readonly fetchUnit: number;
  readonly span: Span;
}

export interface PrivilegeLevel {
  readonly name: string;
  readonly values: readonly bigint[];
  readonly span: Span;
}

export interface Privilege {
  /** Reads the mode element (a register or a field of one). */
  readonly element: Expr;
  /** Most privileged first. */
  readonly levels: readonly PrivilegeLevel[];
  readonly span: Span;
}

// ---------------------------------------------------------------- expressions

export type BinOp =
  | "add" | "sub" | "mul" | "udiv" | "urem" | "sdiv" | "srem"
  | "and" | "or" | "xor" | "shl" | "lshr" | "ashr" | "rol" | "ror"
  | "eq" | "ne" | "ult" | "ule" | "ugt" | "uge" | "slt" | "sle" | "sgt" | "sge"
  | "land" | "lor";

export type UnOp = "not" | "neg" | "lnot";

export type Expr =
  | { readonly kind: "const"; readonly value: bigint; readonly width: number }
  | { readonly kind: "boolConst"; readonly value: boolean }
  | { readonly kind: "reg"; readonly element: number; readonly width: number }
  | { readonly kind: "regFile"; readonly element: number; readonly index: Expr; readonly width: number }
  | { readonly kind: "local"; readonly slot: number; readonly name: string; readonly type: Type }
  /** An instruction operand: an encoding field or a binding, decoded before execution. */
  | { readonly kind: "operand"; readonly name: string; readonly width: number }
  /** The address of the next instruction (current PC plus the instruction's length). */
  | { readonly kind: "nextPc"; readonly width: number }
  | { readonly kind: "slice"; readonly value: Expr; readonly hi: number; readonly lo: number; readonly width: number }
  | { readonly kind: "concat"; readonly parts: readonly Expr[]; readonly width: number }
  | { readonly kind: "zext" | "sext"; readonly value: Expr; readonly width: number }
  | { readonly kind: "unary"; readonly op: UnOp; readonly value: Expr; readonly type: Type }
  | { readonly kind: "binary"; readonly op: BinOp; readonly left: Expr; readonly right: Expr; readonly type: Type }
  /** bank: this is the read of that banked register, lowered (its selector picks the storage). */
  | { readonly kind: "ite"; readonly cond: Expr; readonly then: Expr; readonly else: Expr; readonly type: Type; readonly bank?: string }
  /** Reads `units` consecutive memory units; virtual loads go through `translate` first. */
  | { readonly kind: "load"; readonly addr: Expr; readonly units: number; readonly virtual: boolean; readonly width: number }
  | { readonly kind: "call"; readonly fn: number; readonly args: readonly Expr[]; readonly type: Type | null };

/** The type of an expression. */
export function typeOf(e: Expr): Type {
  switch (e.kind) {
    case "boolConst":
      return bool;
    case "local":
      return e.type;
    case "unary":
    case "binary":
    case "ite":
      return e.type;
    case "call":
      return e.type ?? bool;
    default:
      return bits(e.width);
  }
}

/** The width of a bit-vector expression (0 for booleans). */
export function widthOf(e: Expr): number {
  const t = typeOf(e);
  return t.kind === "bits" ? t.width : 0;
}

// ---------------------------------------------------------------- statements

export type Stmt =
  | { readonly kind: "let"; readonly slot: number; readonly name: string; readonly value: Expr; readonly span: Span }
  | { readonly kind: "setLocal"; readonly slot: number; readonly value: Expr; readonly span: Span }
  | { readonly kind: "setReg"; readonly element: number; readonly value: Expr; readonly span: Span }
  | { readonly kind: "setRegFile"; readonly element: number; readonly index: Expr; readonly value: Expr; readonly span: Span }
  | { readonly kind: "store"; readonly addr: Expr; readonly units: number; readonly value: Expr; readonly virtual: boolean; readonly span: Span }
  /** bank: this is a write of that banked register, lowered (its selector picks the storage). */
  | { readonly kind: "if"; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[]; readonly span: Span; readonly bank?: string }
  | { readonly kind: "trap"; readonly cause: number; readonly arg: Expr | null; readonly span: Span }
  | { readonly kind: "halt"; readonly span: Span }
  /** Nondeterministic choice (ARM's UNPREDICTABLE): any one branch may run. */
  | { readonly kind: "either"; readonly branches: readonly (readonly Stmt[])[]; readonly span: Span }
  | { readonly kind: "output"; readonly value: Expr; readonly span: Span }
  | { readonly kind: "return"; readonly value: Expr | null; readonly span: Span }
  | { readonly kind: "call"; readonly call: Expr & { kind: "call" }; readonly span: Span };

// ---------------------------------------------------------------- functions, traps

export interface Function {
  readonly id: number;
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly slot: number; readonly type: Type }[];
  readonly result: Type | null;
  readonly body: readonly Stmt[];
  /** Number of local slots the body uses (params first). */
  readonly slots: number;
  readonly span: Span;
}

export interface Cause {
  readonly id: number;
  readonly name: string;
  readonly code: bigint;
  /** A memory trap (P&G: excluded from the privilege and sensitivity definitions). */
  readonly isMemory: boolean;
  readonly span: Span;
}

export interface TrapEntry {
  readonly causeWidth: number;
  readonly infoWidth: number | null;
  /** The function implementing delivery; its params are (cause[, info]). */
  readonly fn: number;
  readonly span: Span;
}

// ---------------------------------------------------------------- encodings and syntax

/** One contiguous run of a field's bits inside an encoding (bit 0 = last bit of the encoding). */
export interface FieldPiece {
  readonly encHi: number;
  readonly encLo: number;
  readonly fieldHi: number;
  readonly fieldLo: number;
}

export interface EncodedField {
  readonly name: string;
  /** Width of the field value: one more than its highest bit; unmentioned bits are zero. */
  readonly width: number;
  readonly pieces: readonly FieldPiece[];
}

export type SyntaxPart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "field"; readonly field: string; readonly format: OperandFormat };

/** How a field is shown in assembly. */
export type OperandFormat =
  | { readonly kind: "names"; readonly operand: string; readonly names: readonly string[]; readonly aliases: readonly (readonly string[])[] }
  | { readonly kind: "imm" }
  | { readonly kind: "simm" }
  | { readonly kind: "hex" }
  /** Signed, always printed with a sign (`+4`, `-8`): x86 displacements. */
  | { readonly kind: "sdisp" }
  /** PC-relative target: shown as the absolute address (PC + offset + bias), assembled from a label or number. */
  | { readonly kind: "pcrel"; readonly bias: number; readonly fromNext: boolean };

export interface Encoding {
  /** Length in bits: a whole number of fetch units. */
  readonly length: number;
  readonly mask: bigint;
  readonly match: bigint;
  readonly fields: readonly EncodedField[];
  /** Extra condition on field values (decodetree's exclusions); null when none. */
  readonly where: Expr | null;
  /** Operands computed from fields by a format alternative (e.g. a ModRM displacement). */
  readonly bindings: readonly { readonly name: string; readonly width: number; readonly value: Expr }[];
  readonly syntax: readonly SyntaxPart[];
  readonly span: Span;
}

export interface Instruction {
  readonly id: number;
  readonly name: string;
  readonly title: string | null;
  readonly encodings: readonly Encoding[];
  /** The operands the semantics may read: fields and bindings common to every encoding. */
  readonly operands: ReadonlyMap<string, number>;
  readonly body: readonly Stmt[];
  readonly slots: number;
  readonly span: Span;
}

// ---------------------------------------------------------------- configurations, expectations

export interface GuestConfig {
  readonly name: string;
  readonly title: string | null;
  /** Index into privilege.levels of the level at which a deprivileged guest runs. */
  readonly guestLevel: number;
  /** Conditions on control state that the VMM establishes while a guest runs. */
  readonly requires: readonly Expr[];
  readonly span: Span;
}

export const THEOREMS = ["vmm", "recursive", "hvm"] as const;
export type Theorem = (typeof THEOREMS)[number];

export const INSTRUCTION_PROPERTIES = [
  "privileged", "sensitive", "control_sensitive", "behavior_sensitive", "location_sensitive",
  "mode_sensitive", "user_sensitive", "innocuous", "timing_dependent",
] as const;
export type InstructionProperty = (typeof INSTRUCTION_PROPERTIES)[number];

export type Expectation =
  | { readonly kind: "instruction"; readonly instruction: number; readonly property: InstructionProperty; readonly negated: boolean; readonly config: number | null; readonly span: Span }
  | {
      readonly kind: "theorem"; readonly theorem: Theorem; readonly holds: boolean; readonly problems: readonly number[] | null;
      readonly config: number | null; readonly span: Span;
    };

// ---------------------------------------------------------------- the whole ISA

export interface Isa {
  readonly name: string;
  readonly title: string | null;
  readonly file: string;
  readonly memory: Memory;
  /** Width of a virtual address: the input of `translate` (or the physical width without one). */
  readonly vaddrWidth: number;
  readonly state: readonly StateElement[];
  readonly pc: number;
  /** Banked registers: an alias whose storage element is chosen by a selector (ARM SP by mode). */
  readonly banked: readonly BankedRegister[];
  readonly privilege: Privilege;
  readonly functions: readonly Function[];
  /** The translation function (vaddr, access) -> paddr, or null for untranslated memory. */
  readonly translate: number | null;
  readonly causes: readonly Cause[];
  /** The cause raised when no encoding matches the fetched instruction word. */
  readonly undefinedCause: number;
  readonly trapEntry: TrapEntry;
  /** Runs before every instruction fetch (timers, interrupts); may trap. Null when absent. */
  readonly tick: number | null;
  readonly instructions: readonly Instruction[];
  /** Groups of instructions declared to overlap; earlier in the group wins when decoding. */
  readonly overlaps: readonly (readonly number[])[];
  readonly configs: readonly GuestConfig[];
  readonly expectations: readonly Expectation[];
}

/** Access kinds passed to `translate` (constants READ, WRITE, FETCH in specs). */
export const ACCESS = { READ: 0n, WRITE: 1n, FETCH: 2n } as const;
export const ACCESS_WIDTH = 2;
