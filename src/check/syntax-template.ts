/**
 * Assembly syntax templates: `"addi {rd:xreg}, {rs1:xreg}, {imm:simm}"`. Text outside braces is
 * literal; `{field:kind}` shows a field, where kind is an `operand` name-table or a built-in number
 * format (imm, simm, hex, sdisp, pcrel, pcrel(8), pcrel(next)). One template serves both the
 * assembler and the disassembler.
 */
import type * as A from "../syntax/ast.js";
import type { Span } from "../syntax/source.js";
import type * as IR from "../ir/ir.js";
import type { Globals } from "./globals.js";

/** Replaces `{fmt}` by a format alternative's own template. */
export function substituteFormats(text: string, formats: ReadonlyMap<string, string>): string {
  return text.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (all, name: string) => formats.get(name) ?? all);
}

export function parseTemplate(
  g: Globals,
  text: string,
  fields: ReadonlyMap<string, number>,
  span: Span,
): IR.SyntaxPart[] | null {
  const parts: IR.SyntaxPart[] = [];
  let ok = true;
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{", i);
    if (open < 0) {
      parts.push({ kind: "text", text: text.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: "text", text: text.slice(i, open) });
    const close = text.indexOf("}", open);
    if (close < 0) {
      g.diagnostics.error("E0405", `unclosed '{' in syntax "${text}"; close the placeholder with '}'`, span);
      return null;
    }
    const inner = text.slice(open + 1, close);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_][A-Za-z0-9_]*)(?:\((next|-?\d+)\))?)?$/.exec(inner);
    if (!m) {
      g.diagnostics.error("E0405", `'{${inner}}' is not a placeholder: write {field} or {field:kind}`, span);
      ok = false;
    } else {
      const [, field, kindName = "imm", arg] = m;
      const width = fields.get(field!);
      const format = operandFormat(g, kindName, arg, span);
      if (width === undefined) {
        g.diagnostics.error("E0406", `syntax shows '{${inner}}' but the encoding has no field '${field}'; add the field to the encoding or remove the placeholder`, span);
        ok = false;
      } else if (format) {
        if (format.kind === "names" && format.names.length < 2 ** width) {
          g.diagnostics.error("E0405", `operand kind '${kindName}' names ${format.names.length} values but field '${field}' has ${width} bits (${2 ** width} values); name all ${2 ** width}`, span);
          ok = false;
        }
        parts.push({ kind: "field", field: field!, format });
      } else {
        ok = false;
      }
    }
    i = close + 1;
  }
  return ok ? mergeText(parts) : null;
}

function operandFormat(g: Globals, kind: string, arg: string | undefined, span: Span): IR.OperandFormat | null {
  switch (kind) {
    case "imm":
    case "simm":
    case "hex":
    case "sdisp":
      return { kind };
    case "pcrel":
      return { kind: "pcrel", bias: arg === undefined || arg === "next" ? 0 : Number(arg), fromNext: arg === "next" };
  }
  const decl = g.operandKinds.get(kind);
  if (!decl) {
    g.diagnostics.error("E0209", `unknown operand kind '${kind}': declare it with 'operand ${kind} = [...]' or use imm, simm, hex, sdisp, pcrel`, span);
    return null;
  }
  g.used.add(`operand:${kind}`);
  return { kind: "names", operand: kind, names: decl.names, aliases: decl.aliases };
}

function mergeText(parts: IR.SyntaxPart[]): IR.SyntaxPart[] {
  const out: IR.SyntaxPart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.kind === "text" && last?.kind === "text") out[out.length - 1] = { kind: "text", text: last.text + p.text };
    else if (p.kind !== "text" || p.text.length > 0) out.push(p);
  }
  return out;
}

/** The names of the fields a template shows. */
export function templateFields(parts: readonly IR.SyntaxPart[]): Set<string> {
  return new Set(parts.flatMap((p) => (p.kind === "field" ? [p.field] : [])));
}

export type { A };
