/**
 * Source files and the spans that point into them. Every diagnostic and every IR node carries a span
 * so that an error or an analysis result can always be shown at the line the author wrote.
 */

export interface Span {
  readonly file: string;
  /** 1-based line and column of the first character. */
  readonly line: number;
  readonly column: number;
  /** 0-based offsets into the file text, end exclusive. */
  readonly start: number;
  readonly end: number;
}

/** A span for things that no author wrote (built-ins, generated code). */
export const NO_SPAN: Span = { file: "<builtin>", line: 1, column: 1, start: 0, end: 0 };

/** Joins two spans of the same file into one that covers both. */
export function joinSpans(a: Span, b: Span): Span {
  if (a.file !== b.file) return a;
  return a.start <= b.start ? { ...a, end: Math.max(a.end, b.end) } : { ...b, end: Math.max(a.end, b.end) };
}

/** Keeps every loaded file's text, so diagnostics can print a code frame. */
export class SourceStore {
  private readonly texts = new Map<string, string>();

  add(file: string, text: string): void {
    this.texts.set(file, text);
  }

  text(file: string): string | undefined {
    return this.texts.get(file);
  }

  files(): string[] {
    return [...this.texts.keys()];
  }
}
