/**
 * The abstract syntax of .isa files: what the author wrote, with a source span on every node and no
 * resolution yet. The checker (src/check) turns it into the IR; nothing after the checker reads it.
 */
import type { Span } from "./source.js";

export interface Named {
  readonly name: string;
  readonly span: Span;
}

// ---------------------------------------------------------------- types and expressions

export type TypeRef =
  | { readonly kind: "bits"; readonly width: Expr; readonly span: Span }
  | { readonly kind: "bool"; readonly span: Span };

export type BinaryOp =
  | "+" | "-" | "*" | "/" | "%"
  | "&" | "|" | "^" | "<<" | ">>" | "@"
  | "==" | "!=" | "<" | "<=" | ">" | ">=" | "<s" | "<=s" | ">s" | ">=s"
  | "&&" | "||";

export type UnaryOp = "-" | "~" | "!";

export type Expr =
  | { readonly kind: "num"; readonly value: bigint; readonly width: number | null; readonly text: string; readonly span: Span }
  | { readonly kind: "bool"; readonly value: boolean; readonly span: Span }
  | { readonly kind: "name"; readonly name: string; readonly span: Span }
  | { readonly kind: "field"; readonly base: Expr; readonly field: Named; readonly span: Span }
  /** `X[i]`, `v[3]`, or a physical memory access `E[a]` / `E[a, 4]` (units only for memory). */
  | { readonly kind: "index"; readonly base: Expr; readonly index: Expr; readonly units: Expr | null; readonly span: Span }
  | { readonly kind: "slice"; readonly base: Expr; readonly hi: Expr; readonly lo: Expr; readonly span: Span }
  | { readonly kind: "mem"; readonly addr: Expr; readonly units: Expr | null; readonly span: Span }
  | { readonly kind: "call"; readonly callee: Named; readonly args: readonly Expr[]; readonly span: Span }
  | { readonly kind: "unary"; readonly op: UnaryOp; readonly operand: Expr; readonly span: Span }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
  | { readonly kind: "cond"; readonly cond: Expr; readonly then: Expr; readonly else: Expr; readonly span: Span };

// ---------------------------------------------------------------- statements

export interface Block {
  readonly kind: "block";
  readonly stmts: readonly Stmt[];
  readonly span: Span;
}

export interface MatchArm {
  /** null is the wildcard arm `_`. */
  readonly patterns: readonly Expr[] | null;
  readonly body: Block;
  readonly span: Span;
}

export type Stmt =
  | { readonly kind: "let"; readonly mutable: boolean; readonly name: Named; readonly type: TypeRef | null; readonly value: Expr; readonly span: Span }
  | { readonly kind: "assign"; readonly target: Expr; readonly value: Expr; readonly span: Span }
  | { readonly kind: "if"; readonly cond: Expr; readonly then: Block; readonly else: Block | null; readonly span: Span }
  | { readonly kind: "match"; readonly subject: Expr; readonly arms: readonly MatchArm[]; readonly span: Span }
  | { readonly kind: "for"; readonly variable: Named; readonly from: Expr; readonly to: Expr; readonly body: Block; readonly span: Span }
  | { readonly kind: "return"; readonly value: Expr | null; readonly span: Span }
  | { readonly kind: "trap"; readonly cause: Named; readonly arg: Expr | null; readonly span: Span }
  | { readonly kind: "halt"; readonly span: Span }
  | { readonly kind: "either"; readonly branches: readonly Block[]; readonly span: Span }
  | { readonly kind: "output"; readonly value: Expr; readonly span: Span }
  | { readonly kind: "expr"; readonly expr: Expr; readonly span: Span }
  | Block;

// ---------------------------------------------------------------- encodings

export type EncodingPiece =
  /** Fixed bits, most significant first; `-` marks a bit the decoder ignores. */
  | { readonly kind: "bits"; readonly bits: string; readonly span: Span }
  /** A field slice: `rd:5` (bits 4..0 of rd), `imm[11:5]`, `imm:32 le` (little-endian bytes). */
  | { readonly kind: "field"; readonly name: string; readonly hi: number; readonly lo: number; readonly littleEndian: boolean; readonly span: Span }
  /** A reference to a named format, which expands to each of its alternatives. */
  | { readonly kind: "format"; readonly name: string; readonly span: Span };

export interface Binding {
  readonly name: Named;
  readonly type: TypeRef;
  readonly value: Expr;
  readonly span: Span;
}

export interface EncodingAlt {
  readonly pieces: readonly EncodingPiece[];
  readonly where: Expr | null;
  readonly syntax: { readonly text: string; readonly span: Span } | null;
  readonly bindings: readonly Binding[];
  readonly span: Span;
}

// ---------------------------------------------------------------- declarations

export interface Param {
  readonly name: Named;
  readonly type: TypeRef;
}

export interface FieldDecl {
  readonly name: string;
  readonly hi: number;
  readonly lo: number;
  readonly span: Span;
}

export interface Bank {
  readonly name: Named;
  /** null: the default bank, chosen for every selector value no other bank lists. */
  readonly values: readonly Expr[] | null;
  readonly span: Span;
}

export interface Level {
  readonly name: Named;
  readonly values: readonly Expr[];
  readonly span: Span;
}

export type Role = "user" | "control";

export type Decl =
  | { readonly kind: "isa"; readonly name: Named; readonly title: string | null; readonly span: Span }
  | { readonly kind: "include"; readonly path: string; readonly span: Span }
  | {
      readonly kind: "memory"; readonly name: Named; readonly unitWidth: Expr; readonly size: Expr;
      readonly endian: "little" | "big"; readonly fetchUnit: Expr; readonly span: Span;
    }
  | {
      readonly kind: "register"; readonly name: Named; readonly count: Expr | null; readonly type: TypeRef;
      readonly role: Role; readonly isPc: boolean; readonly reset: Expr | null; readonly fields: readonly FieldDecl[]; readonly span: Span;
    }
  | {
      readonly kind: "banked"; readonly name: Named; readonly type: TypeRef; readonly role: Role;
      readonly selector: Expr; readonly banks: readonly Bank[]; readonly span: Span;
    }
  | { readonly kind: "hardwire"; readonly target: Expr; readonly value: Expr; readonly span: Span }
  | { readonly kind: "privilege"; readonly element: Expr; readonly levels: readonly Level[]; readonly span: Span }
  | { readonly kind: "const"; readonly name: Named; readonly type: TypeRef | null; readonly value: Expr; readonly span: Span }
  | {
      readonly kind: "function"; readonly name: Named; readonly params: readonly Param[]; readonly result: TypeRef | null;
      readonly body: Block; readonly isTranslate: boolean; readonly span: Span;
    }
  /** `undefined` marks the cause raised when no encoding matches the fetched word. */
  | { readonly kind: "cause"; readonly name: Named; readonly code: Expr; readonly isMemory: boolean; readonly isUndefined: boolean; readonly span: Span }
  | { readonly kind: "trapEntry"; readonly params: readonly Param[]; readonly body: Block; readonly span: Span }
  | { readonly kind: "tick"; readonly body: Block; readonly span: Span }
  | { readonly kind: "operand"; readonly name: Named; readonly names: readonly string[]; readonly aliases: readonly (readonly string[])[]; readonly span: Span }
  | { readonly kind: "format"; readonly name: Named; readonly alternatives: readonly EncodingAlt[]; readonly span: Span }
  | {
      readonly kind: "instruction"; readonly name: Named; readonly title: string | null;
      readonly encodings: readonly EncodingAlt[]; readonly syntax: { readonly text: string; readonly span: Span } | null;
      readonly semantics: Block; readonly span: Span;
    }
  | { readonly kind: "overlap"; readonly names: readonly Named[]; readonly span: Span }
  | {
      readonly kind: "config"; readonly name: Named; readonly title: string | null; readonly guestLevel: Named;
      readonly requires: readonly Expr[]; readonly span: Span;
    }
  | {
      readonly kind: "expect"; readonly target: Named; readonly negated: boolean; readonly property: Named;
      readonly config: Named | null; readonly problems: readonly Named[] | null; readonly span: Span;
    };

export interface SpecFile {
  readonly path: string;
  readonly decls: readonly Decl[];
}
