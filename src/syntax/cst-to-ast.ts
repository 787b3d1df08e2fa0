/**
 * Turns Chevrotain's concrete syntax tree into the AST. It reads only what the parser produced, so
 * after error recovery some children may be missing; every accessor tolerates that and the result is
 * then only used for reporting (the checker does not run on a file with syntax errors).
 */
import type { CstNode, IToken } from "chevrotain";
import type * as A from "./ast.js";
import { DiagnosticBag } from "./diagnostics.js";
import type { Span } from "./source.js";

type Children = Record<string, (CstNode | IToken)[] | undefined>;

function isToken(x: CstNode | IToken | undefined): x is IToken {
  return x !== undefined && (x as IToken).image !== undefined;
}

export class CstToAst {
  constructor(
    private readonly file: string,
    private readonly diagnostics: DiagnosticBag,
  ) {}

  // ------------------------------------------------------------ helpers

  private span(first: IToken | undefined, last?: IToken | undefined): Span {
    if (!first || Number.isNaN(first.startOffset)) return { file: this.file, line: 1, column: 1, start: 0, end: 0 };
    const end = last && !Number.isNaN(last.endOffset ?? NaN) ? (last.endOffset ?? last.startOffset) + 1 : (first.endOffset ?? first.startOffset) + 1;
    return { file: this.file, line: first.startLine ?? 1, column: first.startColumn ?? 1, start: first.startOffset, end };
  }

  private nodeSpan(node: CstNode): Span {
    const loc = node.location;
    if (!loc || Number.isNaN(loc.startOffset)) return { file: this.file, line: 1, column: 1, start: 0, end: 0 };
    return {
      file: this.file,
      line: loc.startLine ?? 1,
      column: loc.startColumn ?? 1,
      start: loc.startOffset,
      end: (loc.endOffset ?? loc.startOffset) + 1,
    };
  }

  private tok(c: Children, name: string, i = 0): IToken | undefined {
    const x = c[name]?.[i];
    return isToken(x) ? x : undefined;
  }

  private toks(c: Children, name: string): IToken[] {
    return (c[name] ?? []).filter(isToken);
  }

  private node(c: Children, name: string, i = 0): CstNode | undefined {
    const x = c[name]?.[i];
    return x !== undefined && !isToken(x) ? x : undefined;
  }

  private nodes(c: Children, name: string): CstNode[] {
    return (c[name] ?? []).filter((x): x is CstNode => !isToken(x));
  }

  private named(t: IToken | undefined): A.Named {
    return { name: t?.image ?? "<missing>", span: this.span(t) };
  }

  private string(t: IToken | undefined): string {
    if (!t) return "";
    // Error recovery inserts virtual tokens with an empty image (the parser already reported the
    // missing string), and the lexer accepts escapes and raw tabs that JSON does not (`"\q"`): neither
    // may crash the front end (found by test/syntax/fuzz.test.ts).
    if (t.isInsertedInRecovery || t.image === "") return "";
    try {
      return JSON.parse(t.image) as string;
    } catch {
      this.diagnostics.error("E0102", `malformed string literal ${t.image}: a string may not hold a raw tab or control character, and its escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`, this.span(t));
      return t.image.slice(1, -1);
    }
  }

  private number(t: IToken | undefined): number {
    if (!t) return 0;
    const v = parseNumber(t.image);
    if (v === null) {
      this.diagnostics.error("E0105", `'${t.image}' is not a number`, this.span(t));
      return 0;
    }
    return Number(v.value);
  }

  // ------------------------------------------------------------ declarations

  spec(node: CstNode): A.SpecFile {
    const decls = this.nodes(node.children, "decl")
      .map((d) => this.decl(d))
      .filter((d): d is A.Decl => d !== null);
    return { path: this.file, decls };
  }

  private decl(node: CstNode): A.Decl | null {
    const [name, inner] = Object.entries(node.children)[0] ?? [];
    const n = inner?.[0];
    if (!name || !n || isToken(n)) return null;
    const c = n.children;
    const span = this.nodeSpan(n);
    switch (name) {
      case "isaDecl":
        return { kind: "isa", name: this.named(this.tok(c, "Identifier")), title: c.StringLiteral ? this.string(this.tok(c, "StringLiteral")) : null, span };
      case "includeDecl":
        return { kind: "include", path: this.string(this.tok(c, "StringLiteral")), span };
      case "memoryDecl": {
        const endianTok = this.tok(c, "endian");
        const endian = endianTok?.image;
        if (endian !== "little" && endian !== "big") {
          this.diagnostics.error("E0503", "memory endianness must be 'little' or 'big'", this.span(endianTok));
        }
        const fetchWord = this.tok(c, "fetchWord");
        if (fetchWord && fetchWord.image !== "fetch") this.diagnostics.error("E0102", "expected 'fetch N' after the endianness", this.span(fetchWord));
        return {
          kind: "memory",
          name: this.named(this.tok(c, "Identifier")),
          unitWidth: this.typeWidth(this.node(c, "typeRef")),
          size: this.expr(this.node(c, "expr")),
          endian: endian === "big" ? "big" : "little",
          fetchUnit: this.expr(this.node(c, "fetchUnit")),
          span,
        };
      }
      case "registerDecl": {
        const roleTok = this.tok(c, "role");
        return {
          kind: "register",
          name: this.named(this.tok(c, "Identifier")),
          count: c.count ? this.expr(this.node(c, "count")) : null,
          type: this.typeRef(this.node(c, "typeRef")),
          role: this.role(roleTok),
          isPc: c.pcWord !== undefined,
          reset: c.reset ? this.expr(this.node(c, "reset")) : null,
          fields: this.nodes(c, "fieldItem").map((f) => this.fieldItem(f)),
          span,
        };
      }
      case "bankedDecl":
        return {
          kind: "banked",
          name: this.named(this.tok(c, "Identifier")),
          type: this.typeRef(this.node(c, "typeRef")),
          role: this.role(this.tok(c, "role")),
          selector: this.expr(this.node(c, "selector")),
          banks: this.valueSets(this.node(c, "valueSets")).map((v) => ({ name: v.name, values: v.isDefault ? null : v.values, span: v.span })),
          span,
        };
      case "privilegeDecl":
        return {
          kind: "privilege",
          element: this.expr(this.node(c, "element")),
          levels: this.valueSets(this.node(c, "valueSets")).map((v) => ({ name: v.name, values: v.values, span: v.span })),
          span,
        };
      case "hardwireDecl":
        return { kind: "hardwire", target: this.expr(this.node(c, "target")), value: this.expr(this.node(c, "value")), span };
      case "constDecl":
        return {
          kind: "const",
          name: this.named(this.tok(c, "Identifier")),
          type: c.typeRef ? this.typeRef(this.node(c, "typeRef")) : null,
          value: this.expr(this.node(c, "expr")),
          span,
        };
      case "functionDecl":
        return {
          kind: "function",
          name: this.named(this.tok(c, "Identifier")),
          params: this.params(this.node(c, "params")),
          result: c.typeRef ? this.typeRef(this.node(c, "typeRef")) : null,
          body: this.block(this.node(c, "block")),
          isTranslate: false,
          span,
        };
      case "translateDecl":
        return {
          kind: "function",
          name: { name: "translate", span: this.span(this.tok(c, "Kw_translate")) },
          params: this.params(this.node(c, "params")),
          result: this.typeRef(this.node(c, "typeRef")),
          body: this.block(this.node(c, "block")),
          isTranslate: true,
          span,
        };
      case "causeDecl":
        return { kind: "cause", name: this.named(this.tok(c, "Identifier")), code: this.expr(this.node(c, "expr")), isMemory: c.Kw_memory !== undefined, isUndefined: c.undefinedWord !== undefined, span };
      case "trapEntryDecl": {
        const entry = this.tok(c, "Identifier");
        if (entry && entry.image !== "entry") this.diagnostics.error("E0102", "expected 'trap entry(...)' at the top level", this.span(entry));
        return { kind: "trapEntry", params: this.params(this.node(c, "params")), body: this.block(this.node(c, "block")), span };
      }
      case "tickDecl":
        return { kind: "tick", body: this.block(this.node(c, "block")), span };
      case "operandDecl": {
        const lists = this.nodes(c, "nameList").map((l) => this.nameList(l).map((x) => x.name));
        return { kind: "operand", name: this.named(this.tok(c, "Identifier")), names: lists[0] ?? [], aliases: lists.slice(1), span };
      }
      case "formatDecl":
        return {
          kind: "format",
          name: this.named(this.tok(c, "Identifier")),
          alternatives: this.nodes(c, "encodingAlt").map((e) => this.encodingAlt(e)),
          span,
        };
      case "instructionDecl": {
        // One semantics block and one instruction-wide syntax: a second one used to be ignored silently.
        this.once(this.toks(c, "Kw_semantics"), "an instruction has one 'semantics' block; this is a second one: merge the two blocks");
        this.once(this.toks(c, "Kw_syntax"), "an instruction has one instruction-wide 'syntax'; this is a second one: keep one, or give each encoding its own (encoding ... syntax \"...\";)");
        const syntaxTok = this.tok(c, "syntax");
        const semanticsNode = this.node(c, "block");
        return {
          kind: "instruction",
          name: this.named(this.tok(c, "Identifier")),
          title: c.StringLiteral ? this.string(this.tok(c, "StringLiteral")) : null,
          encodings: this.nodes(c, "encodingAlt").map((e) => this.encodingAlt(e)),
          syntax: syntaxTok ? { text: this.string(syntaxTok), span: this.span(syntaxTok) } : null,
          semantics: semanticsNode ? this.block(semanticsNode) : { kind: "block", stmts: [], span },
          span,
        };
      }
      case "overlapDecl":
        return { kind: "overlap", names: this.toks(c, "Identifier").map((t) => this.named(t)), span };
      case "configDecl":
        this.once(this.toks(c, "guestWord"), "a configuration names one guest level; this is a second 'guest' line: keep one (declare another 'config' for another level)");
        return {
          kind: "config",
          name: this.named(this.tok(c, "Identifier")),
          title: c.StringLiteral ? this.string(this.tok(c, "StringLiteral")) : null,
          guestLevel: this.named(this.tok(c, "level")),
          requires: this.nodes(c, "require").map((e) => this.expr(e)),
          span,
        };
      case "expectDecl": {
        const problems = this.node(c, "problems");
        return {
          kind: "expect",
          target: this.named(this.tok(c, "target")),
          negated: c.not !== undefined,
          property: this.named(this.tok(c, "property")),
          config: c.config ? this.named(this.tok(c, "config")) : null,
          problems: problems ? this.nameList(problems) : null,
          span,
        };
      }
      default:
        return null;
    }
  }

  /** Reports every token after the first of a part that may be given once (E0106). */
  private once(tokens: readonly IToken[], message: string): void {
    for (const t of tokens.slice(1)) this.diagnostics.error("E0106", message, this.span(t), [{ message: "the first one", span: this.span(tokens[0]) }]);
  }

  private role(t: IToken | undefined): A.Role {
    if (t?.image === "user" || t?.image === "control") return t.image;
    this.diagnostics.error("E0505", `a register is 'user' or 'control' state, not '${t?.image ?? ""}'`, this.span(t));
    return "user";
  }

  private fieldItem(node: CstNode): A.FieldDecl {
    const c = node.children;
    const hi = this.number(this.tok(c, "hi"));
    const lo = c.lo ? this.number(this.tok(c, "lo")) : hi;
    return { name: this.tok(c, "Identifier")?.image ?? "<missing>", hi, lo, span: this.nodeSpan(node) };
  }

  private valueSets(node: CstNode | undefined): { name: A.Named; values: A.Expr[]; isDefault: boolean; span: Span }[] {
    if (!node) return [];
    return this.nodes(node.children, "valueSet").map((v) => {
      const patterns = this.nodes(v.children, "pattern").map((p) => this.expr(this.node(p.children, "addExpr")));
      const isDefault = patterns.length === 1 && patterns[0]!.kind === "name" && patterns[0]!.name === "_";
      return { name: this.named(this.tok(v.children, "Identifier")), values: patterns, isDefault, span: this.nodeSpan(v) };
    });
  }

  private nameList(node: CstNode): A.Named[] {
    const c = node.children;
    const all = [...this.toks(c, "Identifier"), ...this.toks(c, "StringLiteral")].sort((a, b) => a.startOffset - b.startOffset);
    return all.map((t) => ({ name: t.tokenType.name === "StringLiteral" ? this.string(t) : t.image, span: this.span(t) }));
  }

  private params(node: CstNode | undefined): A.Param[] {
    if (!node) return [];
    return this.nodes(node.children, "param").map((p) => ({
      name: this.named(this.tok(p.children, "Identifier")),
      type: this.typeRef(this.node(p.children, "typeRef")),
    }));
  }

  private encodingAlt(node: CstNode): A.EncodingAlt {
    const c = node.children;
    const syntaxTok = this.tok(c, "StringLiteral");
    return {
      pieces: this.nodes(c, "encodingPiece").flatMap((p) => this.encodingPiece(p)),
      where: c.where ? this.expr(this.node(c, "where")) : null,
      syntax: syntaxTok ? { text: this.string(syntaxTok), span: this.span(syntaxTok) } : null,
      bindings: this.nodes(c, "binding").map((b) => ({
        name: this.named(this.tok(b.children, "Identifier")),
        type: this.typeRef(this.node(b.children, "typeRef")),
        value: this.expr(this.node(b.children, "expr")),
        span: this.nodeSpan(b),
      })),
      span: this.nodeSpan(node),
    };
  }

  private encodingPiece(node: CstNode): A.EncodingPiece[] {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.dontCare) return [{ kind: "bits", bits: "-", span }];
    const numTok = this.tok(c, "NumberLiteral");
    if (numTok) {
      const bits = encodingBits(numTok.image);
      if (bits === null) {
        this.diagnostics.error("E0403", `'${numTok.image}' is not a bit pattern: write bits as 0101, 0b0101 or 0x5A`, span);
        return [];
      }
      return [{ kind: "bits", bits, span }];
    }
    const name = this.tok(c, "Identifier")?.image ?? "<missing>";
    if (c.width) {
      const width = this.number(this.tok(c, "width"));
      return [{ kind: "field", name, hi: width - 1, lo: 0, littleEndian: c.le !== undefined, span }];
    }
    if (c.hi) {
      const hi = this.number(this.tok(c, "hi"));
      const lo = c.lo ? this.number(this.tok(c, "lo")) : hi;
      return [{ kind: "field", name, hi, lo, littleEndian: false, span }];
    }
    return [{ kind: "format", name, span }];
  }

  // ------------------------------------------------------------ types

  private typeRef(node: CstNode | undefined): A.TypeRef {
    if (!node) return { kind: "bool", span: { file: this.file, line: 1, column: 1, start: 0, end: 0 } };
    const span = this.nodeSpan(node);
    if (node.children.Kw_bool) return { kind: "bool", span };
    return { kind: "bits", width: this.expr(this.node(node.children, "expr")), span };
  }

  private typeWidth(node: CstNode | undefined): A.Expr {
    const t = this.typeRef(node);
    return t.kind === "bits" ? t.width : { kind: "num", value: 1n, width: null, text: "1", span: t.span };
  }

  // ------------------------------------------------------------ statements

  private block(node: CstNode | undefined): A.Block {
    if (!node) return { kind: "block", stmts: [], span: { file: this.file, line: 1, column: 1, start: 0, end: 0 } };
    return {
      kind: "block",
      stmts: this.nodes(node.children, "stmt").flatMap((s) => this.stmt(s)),
      span: this.nodeSpan(node),
    };
  }

  private stmt(node: CstNode | undefined): A.Stmt[] {
    // Error recovery can leave a match arm without its statement.
    if (!node) return [];
    const [name, inner] = Object.entries(node.children)[0] ?? [];
    const n = inner?.[0];
    if (!name || !n || isToken(n)) return [];
    const c = n.children;
    const span = this.nodeSpan(n);
    switch (name) {
      case "letStmt":
        return [{
          kind: "let",
          mutable: c.Kw_var !== undefined,
          name: this.named(this.tok(c, "Identifier")),
          type: c.typeRef ? this.typeRef(this.node(c, "typeRef")) : null,
          value: this.expr(this.node(c, "expr")),
          span,
        }];
      case "ifStmt":
        return [this.ifStmt(n)];
      case "matchStmt":
        return [{
          kind: "match",
          subject: this.expr(this.node(c, "expr")),
          arms: this.nodes(c, "matchArm").map((arm) => {
            const patterns = this.nodes(arm.children, "pattern").map((p) => this.expr(this.node(p.children, "addExpr")));
            const wildcard = patterns.length === 1 && patterns[0]!.kind === "name" && patterns[0]!.name === "_";
            const body = this.stmt(this.node(arm.children, "stmt"));
            const bodyBlock: A.Block = body.length === 1 && body[0]!.kind === "block" ? body[0] as A.Block : { kind: "block", stmts: body, span: this.nodeSpan(arm) };
            return { patterns: wildcard ? null : patterns, body: bodyBlock, span: this.nodeSpan(arm) };
          }),
          span,
        }];
      case "forStmt":
        return [{
          kind: "for",
          variable: this.named(this.tok(c, "Identifier")),
          from: this.expr(this.node(c, "from")),
          to: this.expr(this.node(c, "to")),
          body: this.block(this.node(c, "block")),
          span,
        }];
      case "returnStmt":
        return [{ kind: "return", value: c.expr ? this.expr(this.node(c, "expr")) : null, span }];
      case "trapStmt":
        return [{ kind: "trap", cause: this.named(this.tok(c, "Identifier")), arg: c.expr ? this.expr(this.node(c, "expr")) : null, span }];
      case "haltStmt":
        return [{ kind: "halt", span }];
      case "eitherStmt":
        return [{ kind: "either", branches: this.nodes(c, "block").map((b) => this.block(b)), span }];
      case "outputStmt":
        return [{ kind: "output", value: this.expr(this.node(c, "expr")), span }];
      case "block":
        return [this.block(n)];
      case "assignStmt": {
        const target = this.expr(this.node(c, "target"));
        if (c.value) return [{ kind: "assign", target, value: this.expr(this.node(c, "value")), span }];
        return [{ kind: "expr", expr: target, span }];
      }
      default:
        return [];
    }
  }

  private ifStmt(n: CstNode): A.Stmt {
    const c = n.children;
    const elseIf = this.node(c, "elseIf");
    let elseBlock: A.Block | null = null;
    if (elseIf) {
      const s = this.ifStmt(elseIf);
      elseBlock = { kind: "block", stmts: [s], span: s.span };
    } else if (c.else) {
      elseBlock = this.block(this.node(c, "else"));
    }
    return { kind: "if", cond: this.expr(this.node(c, "expr")), then: this.block(this.node(c, "then")), else: elseBlock, span: this.nodeSpan(n) };
  }

  // ------------------------------------------------------------ expressions

  private missing(): A.Expr {
    return { kind: "num", value: 0n, width: null, text: "0", span: { file: this.file, line: 1, column: 1, start: 0, end: 0 } };
  }

  private expr(node: CstNode | undefined): A.Expr {
    if (!node) return this.missing();
    switch (node.name) {
      case "expr":
        return this.expr(this.node(node.children, "orExpr"));
      case "pattern":
        return this.expr(this.node(node.children, "addExpr"));
      case "orExpr": case "andExpr": case "cmpExpr": case "bitOrExpr": case "xorExpr":
      case "bitAndExpr": case "concatExpr": case "shiftExpr": case "addExpr": case "mulExpr":
        return this.binaryChain(node);
      case "unaryExpr": {
        const c = node.children;
        const op = this.tok(c, "op");
        if (op) {
          const operand = this.expr(this.node(c, "unaryExpr"));
          // A minus directly on a literal is a negative literal, so `-1` adapts to its context's width.
          if (op.image === "-" && operand.kind === "num" && operand.width === null) {
            return { kind: "num", value: -operand.value, width: null, text: `-${operand.text}`, span: this.nodeSpan(node) };
          }
          return { kind: "unary", op: op.image as A.UnaryOp, operand, span: this.nodeSpan(node) };
        }
        return this.expr(this.node(c, "postfixExpr"));
      }
      case "postfixExpr": {
        let e = this.expr(this.node(node.children, "primary"));
        for (const p of this.nodes(node.children, "postfix")) {
          const c = p.children;
          const span = { ...e.span, end: this.nodeSpan(p).end };
          if (c.Dot) e = { kind: "field", base: e, field: this.named(this.tok(c, "Identifier")), span };
          else if (c.lo) e = { kind: "slice", base: e, hi: this.expr(this.node(c, "index")), lo: this.expr(this.node(c, "lo")), span };
          else e = { kind: "index", base: e, index: this.expr(this.node(c, "index")), units: c.units ? this.expr(this.node(c, "units")) : null, span };
        }
        return e;
      }
      case "primary":
        return this.primary(node);
      default:
        return this.missing();
    }
  }

  private binaryChain(node: CstNode): A.Expr {
    const operands = this.nodes(node.children, "operand").map((o) => this.expr(o));
    const ops = this.toks(node.children, "op");
    let e = operands[0] ?? this.missing();
    for (let i = 0; i < ops.length; i++) {
      const right = operands[i + 1] ?? this.missing();
      e = { kind: "binary", op: ops[i]!.image as A.BinaryOp, left: e, right, span: { ...e.span, end: right.span.end } };
    }
    return e;
  }

  private primary(node: CstNode): A.Expr {
    const c = node.children;
    const span = this.nodeSpan(node);
    const num = this.tok(c, "NumberLiteral");
    if (num) {
      const v = parseNumber(num.image);
      if (v === null) {
        this.diagnostics.error("E0105", `'${num.image}' is not a number`, span);
        return this.missing();
      }
      return { kind: "num", value: v.value, width: v.width, text: num.image, span };
    }
    if (c.Kw_true) return { kind: "bool", value: true, span };
    if (c.Kw_false) return { kind: "bool", value: false, span };
    if (c.Kw_mem) return { kind: "mem", addr: this.expr(this.node(c, "addr")), units: c.units ? this.expr(this.node(c, "units")) : null, span };
    if (c.inner) return this.expr(this.node(c, "inner"));
    if (c.Kw_if) return { kind: "cond", cond: this.expr(this.node(c, "cond")), then: this.expr(this.node(c, "then")), else: this.expr(this.node(c, "else")), span };
    const id = this.tok(c, "Identifier");
    if (c.LParen) return { kind: "call", callee: this.named(id), args: this.nodes(c, "arg").map((a) => this.expr(a)), span };
    return { kind: "name", name: id?.image ?? "<missing>", span };
  }
}

/**
 * Reads a numeric literal. Binary literals carry their width (one per digit); decimal and hex ones
 * are unsized and take their width from context.
 */
export function parseNumber(text: string): { value: bigint; width: number | null } | null {
  const t = text.replace(/_/g, "");
  if (/^0b[01]+$/.test(t)) return { value: BigInt(t), width: t.length - 2 };
  if (/^0x[0-9A-Fa-f]+$/.test(t)) return { value: BigInt(t), width: null };
  if (/^[0-9]+$/.test(t)) return { value: BigInt(t), width: null };
  return null;
}

/** Reads a bit pattern in an encoding: `0101`, `0b0101` or `0x5A` (four bits per hex digit). */
export function encodingBits(text: string): string | null {
  const t = text.replace(/_/g, "");
  if (/^0x[0-9A-Fa-f]+$/.test(t)) {
    return [...t.slice(2)].map((d) => parseInt(d, 16).toString(2).padStart(4, "0")).join("");
  }
  if (/^0b[01]+$/.test(t)) return t.slice(2);
  if (/^[01]+$/.test(t)) return t;
  return null;
}
