/**
 * Parses one .isa text into an AST, reporting every lexing and parsing error as a diagnostic.
 */
import type { SpecFile } from "./ast.js";
import { CstToAst } from "./cst-to-ast.js";
import { DiagnosticBag } from "./diagnostics.js";
import { isaParser } from "./parser.js";
import { isaLexer } from "./tokens.js";

export interface ParseResult {
  readonly ast: SpecFile;
  readonly diagnostics: DiagnosticBag;
}

export function parseIsa(file: string, text: string): ParseResult {
  const diagnostics = new DiagnosticBag();
  const lexed = isaLexer.tokenize(text);
  for (const e of lexed.errors) {
    diagnostics.error("E0101", `unexpected character '${text.slice(e.offset, e.offset + e.length)}'`, {
      file,
      line: e.line ?? 1,
      column: e.column ?? 1,
      start: e.offset,
      end: e.offset + e.length,
    });
  }
  isaParser.input = lexed.tokens;
  const cst = isaParser.spec();
  for (const e of isaParser.errors) {
    const t = e.token;
    const atEnd = t.tokenType?.name === "EOF" || Number.isNaN(t.startOffset);
    const offset = atEnd ? text.length : t.startOffset;
    const pos = atEnd ? endPosition(text) : { line: t.startLine ?? 1, column: t.startColumn ?? 1 };
    // The parser's messages already say "the end of the file" when that is what they found.
    const message = atEnd && !e.message.includes("end of the file") ? `${e.message} (at end of file)` : e.message;
    diagnostics.error("E0102", message, {
      file,
      line: pos.line,
      column: pos.column,
      start: offset,
      end: atEnd ? offset : (t.endOffset ?? offset) + 1,
    });
  }
  // The AST conversion also reports mistakes (a bad number, a register role). On a node that error
  // recovery rebuilt, it would report the same mistake again at the same place (E0505 "not 'foo'"
  // right on top of E0102 "expected a type but found 'foo'"); those repeats are dropped.
  const converted = new DiagnosticBag();
  const ast = new CstToAst(file, converted).spec(cst);
  const syntaxAt = new Set(diagnostics.items.filter((d) => d.code === "E0102").map((d) => d.span.start));
  for (const d of converted.items) if (!syntaxAt.has(d.span.start)) diagnostics.add(d);
  return { ast, diagnostics };
}

function endPosition(text: string): { line: number; column: number } {
  const lines = text.split("\n");
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}
