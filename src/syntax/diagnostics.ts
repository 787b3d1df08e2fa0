/**
 * Every message popek can say about a spec, in one catalogue with a stable code (as tsc does):
 * E01xx lexing and parsing, E02xx names, E03xx types and widths, E04xx encodings and assembly syntax,
 * E05xx the machine's structure, E06xx configurations and expectations, W07xx warnings.
 * Tests refer to the codes; the message text may improve, the codes never change meaning.
 */
import { codeFrameColumns } from "@babel/code-frame";
import type { SourceStore, Span } from "./source.js";

export const Codes = {
  // syntax
  E0101: "unexpected character",
  E0102: "syntax error",
  E0103: "cannot read file",
  E0104: "include cycle",
  E0105: "malformed number",
  E0106: "part given twice",
  // names
  E0201: "unknown name",
  E0202: "duplicate definition",
  E0203: "unknown field",
  E0204: "unknown trap cause",
  E0205: "unknown function",
  E0206: "wrong number of arguments",
  E0207: "cannot assign to this",
  E0208: "recursive function",
  E0209: "unknown operand kind",
  // types and widths
  E0301: "width mismatch",
  E0302: "expected a boolean",
  E0303: "expected a bit vector",
  E0304: "cannot infer the width of a literal",
  E0305: "value does not fit",
  E0306: "not a constant",
  E0307: "slice out of range",
  E0308: "missing return",
  E0309: "not indexable",
  E0310: "bad extension",
  // encodings and syntax templates
  E0401: "encoding length",
  E0402: "overlapping encodings",
  E0403: "field bits",
  E0404: "inconsistent fields",
  E0405: "syntax template",
  E0406: "field not in encoding",
  E0407: "bad overlap declaration",
  // machine structure
  E0501: "missing declaration",
  E0502: "declared twice",
  E0503: "bad memory declaration",
  E0504: "bad privilege declaration",
  E0505: "bad register declaration",
  E0506: "bad trap declaration",
  E0507: "bad banked register",
  // configurations and expectations
  E0601: "unknown privilege level",
  E0602: "bad expectation",
  // warnings
  W0701: "unused",
  W0702: "unreachable code",
  W0703: "field not shown in the assembly syntax",
} as const;

export type Code = keyof typeof Codes;

export type Severity = "error" | "warning";

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  /** Further locations that explain the message (the other definition, the overlapping encoding). */
  readonly related?: readonly { readonly message: string; readonly span: Span }[];
}

/** Builds a diagnostic; the severity follows from the code's letter. */
export function diag(code: Code, message: string, span: Span, related?: Diagnostic["related"]): Diagnostic {
  return { code, severity: code.startsWith("W") ? "warning" : "error", message, span, related };
}

/** Collects diagnostics during one phase; phases append, nothing throws for a user error. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  private readonly said = new Set<string>();

  /**
   * Adds d unless the same message was already said at the same place: a `for` body is checked once
   * per iteration of the unrolled loop, and its mistakes were reported once per iteration.
   */
  add(d: Diagnostic): void {
    const key = `${d.code}\u0000${d.span.file}\u0000${d.span.start}\u0000${d.span.end}\u0000${d.message}`;
    if (this.said.has(key)) return;
    this.said.add(key);
    this.items.push(d);
  }

  error(code: Code, message: string, span: Span, related?: Diagnostic["related"]): void {
    this.add(diag(code, message, span, related));
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}

/** `file:line:col: error E0201: message`, then a code frame when the text is known. */
export function renderDiagnostic(d: Diagnostic, sources: SourceStore, options: { color?: boolean } = {}): string {
  const head = `${d.span.file}:${d.span.line}:${d.span.column}: ${d.severity} ${d.code}: ${d.message}`;
  const lines = [head];
  const text = sources.text(d.span.file);
  if (text !== undefined) lines.push(frame(text, d.span, options.color ?? false));
  for (const r of d.related ?? []) {
    lines.push(`  ${r.span.file}:${r.span.line}:${r.span.column}: note: ${r.message}`);
  }
  return lines.join("\n");
}

function frame(text: string, span: Span, color: boolean): string {
  const endPos = positionOf(text, Math.max(span.start, span.end - 1));
  const end = endPos.line === span.line ? { line: endPos.line, column: endPos.column + 1 } : undefined;
  return codeFrameColumns(text, { start: { line: span.line, column: span.column }, end }, { highlightCode: color, linesAbove: 1, linesBelow: 1 });
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column };
}

/** Sorts diagnostics by file and position, so output is stable. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => a.span.file.localeCompare(b.span.file) || a.span.start - b.span.start || a.code.localeCompare(b.code));
}
