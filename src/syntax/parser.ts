/**
 * The .isa grammar as a Chevrotain CstParser. It only builds the concrete syntax tree; cst-to-ast.ts
 * turns that into the AST. Error recovery is on, so one run reports every syntax error it can.
 * Contextual words (user, control, pc, le, guest, require, not, in, to, entry, fetch, little, big, by,
 * aka) are identifiers checked by a gate, so they remain usable as names elsewhere.
 */
import type { CstNode, IToken, ParserMethod, TokenType } from "chevrotain";
import { CstParser } from "./chevrotain.js";
import * as T from "./tokens.js";

const { Kw } = T;

/**
 * Syntax error messages in the words of the .isa language. Chevrotain's defaults ("Expecting token of
 * type --> EOF <-- but found --> 'foo' <--", or a numbered list of token sequences) were misleading
 * for an unknown declaration and unreadable in a diagnostic; these name what may come next.
 */
function describeToken(t: IToken): string {
  return t.tokenType.name === "EOF" ? "the end of the file" : `'${t.image}'`;
}

function tokenName(t: TokenType): string {
  switch (t.name) {
    case "EOF": return "the end of the file";
    case "Identifier": return "a name";
    case "NumberLiteral": return "a number";
    case "StringLiteral": return "a string";
    default: return t.LABEL ?? t.name;
  }
}

/** What a rule stands for, when a whole alternative is missing. */
const RULE_WORDS: Record<string, string> = {
  spec: "a declaration", decl: "a declaration", stmt: "a statement", block: "a block '{ ... }'",
  typeRef: "a type (bits(N) or bool)", encodingPiece: "an encoding piece (bits such as 0101, a field NAME:N or NAME[hi:lo], or a format name)",
  pattern: "a value", expr: "an expression", orExpr: "an expression", andExpr: "an expression", cmpExpr: "an expression",
  bitOrExpr: "an expression", xorExpr: "an expression", bitAndExpr: "an expression", concatExpr: "an expression",
  shiftExpr: "an expression", addExpr: "an expression", mulExpr: "an expression", unaryExpr: "an expression",
  postfixExpr: "an expression", primary: "an expression",
};

function oneOf(paths: readonly (readonly TokenType[])[]): string {
  const firsts = [...new Set(paths.map((p) => (p[0] ? tokenName(p[0]) : "")).filter((x) => x !== ""))];
  if (firsts.length <= 1) return firsts[0] ?? "something else";
  return `${firsts.slice(0, -1).join(", ")} or ${firsts[firsts.length - 1]}`;
}

const A_DECLARATION =
  "a declaration (isa, include, memory, register, banked, hardwire, privilege, const, function, translate, cause, trap entry, tick, operand, format, instruction, overlap, config or expect)";

const errorMessages = {
  // Expecting the end of the file means the top level met something that starts no declaration.
  buildMismatchTokenMessage: ({ expected, actual }: { expected: TokenType; actual: IToken }) =>
    `expected ${expected.name === "EOF" ? A_DECLARATION : tokenName(expected)} but found ${describeToken(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }: { firstRedundant: IToken }) =>
    `expected ${A_DECLARATION} but found ${describeToken(firstRedundant)}`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }: { expectedPathsPerAlt: TokenType[][][]; actual: IToken[]; ruleName: string }) =>
    `expected ${RULE_WORDS[ruleName] ?? oneOf(expectedPathsPerAlt.flat())} but found ${actual[0] ? describeToken(actual[0]) : "the end of the file"}`,
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, ruleName }: { expectedIterationPaths: TokenType[][]; actual: IToken[]; ruleName: string }) =>
    `expected at least one ${ruleName === "encodingAlt" ? "encoding piece" : oneOf(expectedIterationPaths)} but found ${actual[0] ? describeToken(actual[0]) : "the end of the file"}`,
};

export class IsaParser extends CstParser {
  constructor() {
    // nodeLocationTracking: without it CST nodes carry no location, and every span built from a node
    // (declarations, statements, expressions) pointed at 1:1 of the file.
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: "full", errorMessageProvider: errorMessages });
    this.performSelfAnalysis();
  }

  /** Consumes an identifier whose text is `word` (a contextual keyword). */
  private word(word: string, idx = 0): IToken {
    return this.consume(idx, T.Identifier, { ERR_MSG: `expected '${word}'` });
  }

  private isWord(word: string, k = 1): boolean {
    const t = this.LA(k);
    return t.tokenType === T.Identifier && t.image === word;
  }

  public spec = this.RULE("spec", () => {
    this.MANY(() => this.SUBRULE(this.decl));
  });

  public decl = this.RULE("decl", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.isaDecl) },
      { ALT: () => this.SUBRULE(this.includeDecl) },
      { ALT: () => this.SUBRULE(this.memoryDecl) },
      { ALT: () => this.SUBRULE(this.registerDecl) },
      { ALT: () => this.SUBRULE(this.bankedDecl) },
      { ALT: () => this.SUBRULE(this.hardwireDecl) },
      { ALT: () => this.SUBRULE(this.privilegeDecl) },
      { ALT: () => this.SUBRULE(this.constDecl) },
      { ALT: () => this.SUBRULE(this.functionDecl) },
      { ALT: () => this.SUBRULE(this.translateDecl) },
      { ALT: () => this.SUBRULE(this.causeDecl) },
      { ALT: () => this.SUBRULE(this.trapEntryDecl) },
      { ALT: () => this.SUBRULE(this.tickDecl) },
      { ALT: () => this.SUBRULE(this.operandDecl) },
      { ALT: () => this.SUBRULE(this.formatDecl) },
      { ALT: () => this.SUBRULE(this.instructionDecl) },
      { ALT: () => this.SUBRULE(this.overlapDecl) },
      { ALT: () => this.SUBRULE(this.configDecl) },
      { ALT: () => this.SUBRULE(this.expectDecl) },
    ]);
  });

  public isaDecl = this.RULE("isaDecl", () => {
    this.CONSUME(Kw.isa);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
    this.CONSUME(T.Semicolon);
  });

  public includeDecl = this.RULE("includeDecl", () => {
    this.CONSUME(Kw.include);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(T.Semicolon);
  });

  // memory E: bits(32)[1024], big, fetch 32;
  public memoryDecl = this.RULE("memoryDecl", () => {
    this.CONSUME(Kw.memory);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.expr);
    this.CONSUME(T.RBracket);
    this.CONSUME(T.Comma);
    this.CONSUME1(T.Identifier, { LABEL: "endian" });
    this.CONSUME1(T.Comma);
    this.CONSUME2(T.Identifier, { LABEL: "fetchWord" });
    this.SUBRULE1(this.expr, { LABEL: "fetchUnit" });
    this.CONSUME(T.Semicolon);
  });

  // register x[32]: bits(32) user;   register P: bits(10) user pc;   register s: bits(32) control { A[3], B[7:4] };
  public registerDecl = this.RULE("registerDecl", () => {
    this.CONSUME(Kw.register);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.SUBRULE(this.expr, { LABEL: "count" });
      this.CONSUME(T.RBracket);
    });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.CONSUME1(T.Identifier, { LABEL: "role" });
    this.OPTION1({ GATE: () => this.isWord("pc"), DEF: () => this.CONSUME2(T.Identifier, { LABEL: "pcWord" }) });
    this.OPTION4(() => {
      this.CONSUME(T.Assign);
      this.SUBRULE1(this.expr, { LABEL: "reset" });
    });
    this.OPTION2(() => {
      this.CONSUME(T.LBrace);
      this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.fieldItem) });
      this.CONSUME(T.RBrace);
    });
    this.OPTION3(() => this.CONSUME(T.Semicolon));
  });

  public fieldItem = this.RULE("fieldItem", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBracket);
    this.CONSUME(T.NumberLiteral, { LABEL: "hi" });
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.CONSUME1(T.NumberLiteral, { LABEL: "lo" });
    });
    this.CONSUME(T.RBracket);
  });

  // banked SP: bits(32) user by CPSR.M { usr = 0b10000 | 0b11111; svc = 0b10011; }
  public bankedDecl = this.RULE("bankedDecl", () => {
    this.CONSUME(Kw.banked);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.CONSUME1(T.Identifier, { LABEL: "role" });
    this.word("by", 2);
    this.SUBRULE(this.expr, { LABEL: "selector" });
    this.SUBRULE(this.valueSets);
  });

  // privilege M { supervisor = 0; user = 1; }   (most privileged first)
  public privilegeDecl = this.RULE("privilegeDecl", () => {
    this.CONSUME(Kw.privilege);
    this.SUBRULE(this.expr, { LABEL: "element" });
    this.SUBRULE(this.valueSets);
  });

  public valueSets = this.RULE("valueSets", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.valueSet));
    this.CONSUME(T.RBrace);
  });

  public valueSet = this.RULE("valueSet", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    this.AT_LEAST_ONE_SEP({ SEP: T.Pipe, DEF: () => this.SUBRULE(this.pattern) });
    this.CONSUME(T.Semicolon);
  });

  public hardwireDecl = this.RULE("hardwireDecl", () => {
    this.CONSUME(Kw.hardwire);
    this.SUBRULE(this.expr, { LABEL: "target" });
    this.CONSUME(T.Assign);
    this.SUBRULE1(this.expr, { LABEL: "value" });
    this.CONSUME(T.Semicolon);
  });

  public constDecl = this.RULE("constDecl", () => {
    this.CONSUME(Kw.const);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeRef);
    });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
  });

  public functionDecl = this.RULE("functionDecl", () => {
    this.CONSUME(Kw.function);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.params);
    this.OPTION(() => {
      this.CONSUME(T.Arrow);
      this.SUBRULE(this.typeRef);
    });
    this.SUBRULE(this.block);
  });

  public translateDecl = this.RULE("translateDecl", () => {
    this.CONSUME(Kw.translate);
    this.SUBRULE(this.params);
    this.CONSUME(T.Arrow);
    this.SUBRULE(this.typeRef);
    this.SUBRULE(this.block);
  });

  public params = this.RULE("params", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.param) });
    this.CONSUME(T.RParen);
  });

  public param = this.RULE("param", () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
  });

  // cause page_fault = 12 memory;   cause illegal = 2 undefined;
  public causeDecl = this.RULE("causeDecl", () => {
    this.CONSUME(Kw.cause);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
    this.OPTION(() => this.CONSUME(Kw.memory));
    this.OPTION1({ GATE: () => this.isWord("undefined"), DEF: () => this.CONSUME1(T.Identifier, { LABEL: "undefinedWord" }) });
    this.CONSUME(T.Semicolon);
  });

  // trap entry(cause: bits(8), info: bits(32)) { ... }
  public trapEntryDecl = this.RULE("trapEntryDecl", () => {
    this.CONSUME(Kw.trap);
    this.word("entry");
    this.SUBRULE(this.params);
    this.SUBRULE(this.block);
  });

  public tickDecl = this.RULE("tickDecl", () => {
    this.CONSUME(Kw.tick);
    this.SUBRULE(this.block);
  });

  // operand xreg = [zero, ra, sp] aka [x0, x1, x2];
  public operandDecl = this.RULE("operandDecl", () => {
    this.CONSUME(Kw.operand);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.nameList);
    this.MANY(() => {
      this.word("aka", 1);
      this.SUBRULE1(this.nameList);
    });
    this.CONSUME(T.Semicolon);
  });

  public nameList = this.RULE("nameList", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.StringLiteral) }]),
    });
    this.CONSUME(T.RBracket);
  });

  public formatDecl = this.RULE("formatDecl", () => {
    this.CONSUME(Kw.format);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.encodingAlt));
    this.CONSUME(T.RBrace);
  });

  // encoding imm[11:0] rs1:5 000 rd:5 0010011 where rd != 0 syntax "..." ;   (or a { let ... } block of bindings)
  public encodingAlt = this.RULE("encodingAlt", () => {
    this.CONSUME(Kw.encoding);
    this.AT_LEAST_ONE(() => this.SUBRULE(this.encodingPiece));
    this.OPTION(() => {
      this.CONSUME(Kw.where);
      this.SUBRULE(this.expr, { LABEL: "where" });
    });
    this.OPTION1(() => {
      this.CONSUME(Kw.syntax);
      this.CONSUME(T.StringLiteral);
    });
    this.OR([
      { ALT: () => this.CONSUME(T.Semicolon) },
      {
        ALT: () => {
          this.CONSUME(T.LBrace);
          this.MANY1(() => this.SUBRULE(this.binding));
          this.CONSUME(T.RBrace);
        },
      },
    ]);
  });

  public binding = this.RULE("binding", () => {
    this.CONSUME(Kw.let);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
  });

  public encodingPiece = this.RULE("encodingPiece", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.Minus, { LABEL: "dontCare" }) },
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION(() =>
            this.OR1([
              {
                ALT: () => {
                  this.CONSUME(T.Colon);
                  this.CONSUME1(T.NumberLiteral, { LABEL: "width" });
                  this.OPTION1({ GATE: () => this.isWord("le"), DEF: () => this.CONSUME1(T.Identifier, { LABEL: "le" }) });
                },
              },
              {
                ALT: () => {
                  this.CONSUME(T.LBracket);
                  this.CONSUME2(T.NumberLiteral, { LABEL: "hi" });
                  this.OPTION2(() => {
                    this.CONSUME1(T.Colon);
                    this.CONSUME3(T.NumberLiteral, { LABEL: "lo" });
                  });
                  this.CONSUME(T.RBracket);
                },
              },
            ]),
          );
        },
      },
    ]);
  });

  public instructionDecl = this.RULE("instructionDecl", () => {
    this.CONSUME(Kw.instruction);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.encodingAlt) },
        {
          ALT: () => {
            this.CONSUME(Kw.syntax);
            this.CONSUME1(T.StringLiteral, { LABEL: "syntax" });
            this.CONSUME(T.Semicolon);
          },
        },
        {
          ALT: () => {
            this.CONSUME(Kw.semantics);
            this.SUBRULE(this.block);
          },
        },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  public overlapDecl = this.RULE("overlapDecl", () => {
    this.CONSUME(Kw.overlap);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier) });
    this.CONSUME(T.Semicolon);
  });

  // config classic "…" { guest user; require EFLAGS.IOPL == 0; }
  public configDecl = this.RULE("configDecl", () => {
    this.CONSUME(Kw.config);
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
    this.CONSUME(T.LBrace);
    this.MANY(() =>
      this.OR([
        {
          GATE: () => this.isWord("guest"),
          ALT: () => {
            this.CONSUME1(T.Identifier, { LABEL: "guestWord" });
            this.CONSUME2(T.Identifier, { LABEL: "level" });
            this.CONSUME(T.Semicolon);
          },
        },
        {
          GATE: () => this.isWord("require"),
          ALT: () => {
            this.CONSUME3(T.Identifier, { LABEL: "requireWord" });
            this.SUBRULE(this.expr, { LABEL: "require" });
            this.CONSUME1(T.Semicolon);
          },
        },
      ]),
    );
    this.CONSUME(T.RBrace);
  });

  // expect SGDT not privileged;  expect vmm fails [SGDT, SIDT] in classic;
  public expectDecl = this.RULE("expectDecl", () => {
    this.CONSUME(Kw.expect);
    this.CONSUME(T.Identifier, { LABEL: "target" });
    this.OPTION({ GATE: () => this.isWord("not"), DEF: () => this.CONSUME1(T.Identifier, { LABEL: "not" }) });
    this.CONSUME2(T.Identifier, { LABEL: "property" });
    this.OPTION1(() => this.SUBRULE(this.nameList, { LABEL: "problems" }));
    this.OPTION2({
      GATE: () => this.isWord("in"),
      DEF: () => {
        this.CONSUME3(T.Identifier, { LABEL: "inWord" });
        this.CONSUME4(T.Identifier, { LABEL: "config" });
      },
    });
    this.CONSUME(T.Semicolon);
  });

  // ------------------------------------------------------------ types

  public typeRef = this.RULE("typeRef", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Kw.bits);
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.CONSUME(Kw.bool) },
    ]);
  });

  // ------------------------------------------------------------ statements

  public block = this.RULE("block", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.stmt));
    this.CONSUME(T.RBrace);
  });

  // `if` opens both a statement and a conditional expression; the statement (listed first) wins.
  public stmt = this.RULE("stmt", () => {
    this.OR({ IGNORE_AMBIGUITIES: true, DEF: [
      { ALT: () => this.SUBRULE(this.letStmt) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.matchStmt) },
      { ALT: () => this.SUBRULE(this.forStmt) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
      { ALT: () => this.SUBRULE(this.trapStmt) },
      { ALT: () => this.SUBRULE(this.haltStmt) },
      { ALT: () => this.SUBRULE(this.eitherStmt) },
      { ALT: () => this.SUBRULE(this.outputStmt) },
      { ALT: () => this.SUBRULE(this.block) },
      { ALT: () => this.SUBRULE(this.assignStmt) },
    ]});
  });

  public letStmt = this.RULE("letStmt", () => {
    this.OR([{ ALT: () => this.CONSUME(Kw.let) }, { ALT: () => this.CONSUME(Kw.var) }]);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.typeRef);
    });
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Semicolon);
  });

  public ifStmt = this.RULE("ifStmt", () => {
    this.CONSUME(Kw.if);
    this.SUBRULE(this.expr);
    this.SUBRULE(this.block, { LABEL: "then" });
    this.OPTION(() => {
      this.CONSUME(Kw.else);
      this.OR([
        { ALT: () => this.SUBRULE(this.ifStmt, { LABEL: "elseIf" }) },
        { ALT: () => this.SUBRULE1(this.block, { LABEL: "else" }) },
      ]);
    });
  });

  public matchStmt = this.RULE("matchStmt", () => {
    this.CONSUME(Kw.match);
    this.SUBRULE(this.expr);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.matchArm));
    this.CONSUME(T.RBrace);
  });

  public matchArm = this.RULE("matchArm", () => {
    this.AT_LEAST_ONE_SEP({ SEP: T.Pipe, DEF: () => this.SUBRULE(this.pattern) });
    this.CONSUME(T.FatArrow);
    this.SUBRULE(this.stmt);
  });

  /** A value in a pattern position: no `|` at the top, so `0b01 | 0b10` lists two patterns. */
  public pattern = this.RULE("pattern", () => {
    this.SUBRULE(this.addExpr);
  });

  public forStmt = this.RULE("forStmt", () => {
    this.CONSUME(Kw.for);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Assign);
    this.SUBRULE(this.expr, { LABEL: "from" });
    this.word("to", 1);
    this.SUBRULE1(this.expr, { LABEL: "to" });
    this.SUBRULE(this.block);
  });

  public returnStmt = this.RULE("returnStmt", () => {
    this.CONSUME(Kw.return);
    this.OPTION(() => this.SUBRULE(this.expr));
    this.CONSUME(T.Semicolon);
  });

  public trapStmt = this.RULE("trapStmt", () => {
    this.CONSUME(Kw.trap);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.SUBRULE(this.expr);
      this.CONSUME(T.RParen);
    });
    this.CONSUME(T.Semicolon);
  });

  public haltStmt = this.RULE("haltStmt", () => {
    this.CONSUME(Kw.halt);
    this.CONSUME(T.Semicolon);
  });

  public eitherStmt = this.RULE("eitherStmt", () => {
    this.CONSUME(Kw.either);
    this.SUBRULE(this.block);
    this.AT_LEAST_ONE(() => {
      this.CONSUME(Kw.or);
      this.SUBRULE1(this.block);
    });
  });

  public outputStmt = this.RULE("outputStmt", () => {
    this.CONSUME(Kw.output);
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expr);
    this.CONSUME(T.RParen);
    this.CONSUME(T.Semicolon);
  });

  public assignStmt = this.RULE("assignStmt", () => {
    this.SUBRULE(this.expr, { LABEL: "target" });
    this.OPTION(() => {
      this.CONSUME(T.Assign);
      this.SUBRULE1(this.expr, { LABEL: "value" });
    });
    this.CONSUME(T.Semicolon);
  });

  // ------------------------------------------------------------ expressions, lowest precedence first

  public expr = this.RULE("expr", () => {
    this.SUBRULE(this.orExpr);
  });

  /** One precedence level: operands of the next level joined by this level's operators, left to right. */
  private binaryLevel(name: string, operators: TokenType[], next: () => ParserMethod<[], CstNode>) {
    return this.RULE(name, () => {
      this.subrule(0, next(), { LABEL: "operand" });
      this.MANY(() => {
        this.OR(operators.map((op) => ({ ALT: () => this.CONSUME(op, { LABEL: "op" }) })));
        this.subrule(1, next(), { LABEL: "operand" });
      });
    });
  }

  public orExpr = this.binaryLevel("orExpr", [T.OrOr], () => this.andExpr);
  public andExpr = this.binaryLevel("andExpr", [T.AndAnd], () => this.cmpExpr);
  public cmpExpr = this.binaryLevel(
    "cmpExpr",
    [T.EqEq, T.NotEq, T.SignedLe, T.SignedGe, T.SignedLt, T.SignedGt, T.LtEq, T.GtEq, T.Lt, T.Gt],
    () => this.bitOrExpr,
  );
  public bitOrExpr = this.binaryLevel("bitOrExpr", [T.Pipe], () => this.xorExpr);
  public xorExpr = this.binaryLevel("xorExpr", [T.Caret], () => this.bitAndExpr);
  public bitAndExpr = this.binaryLevel("bitAndExpr", [T.Amp], () => this.concatExpr);
  public concatExpr = this.binaryLevel("concatExpr", [T.At], () => this.shiftExpr);
  public shiftExpr = this.binaryLevel("shiftExpr", [T.ShiftLeft, T.ShiftRight], () => this.addExpr);
  public addExpr = this.binaryLevel("addExpr", [T.Plus, T.Minus], () => this.mulExpr);
  public mulExpr = this.binaryLevel("mulExpr", [T.Star, T.Slash, T.Percent], () => this.unaryExpr);

  public unaryExpr = this.RULE("unaryExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.OR1([
            { ALT: () => this.CONSUME(T.Minus, { LABEL: "op" }) },
            { ALT: () => this.CONSUME(T.Tilde, { LABEL: "op" }) },
            { ALT: () => this.CONSUME(T.Bang, { LABEL: "op" }) },
          ]);
          this.SUBRULE(this.unaryExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.postfixExpr) },
    ]);
  });

  public postfixExpr = this.RULE("postfixExpr", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => this.SUBRULE(this.postfix));
  });

  public postfix = this.RULE("postfix", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Dot);
          this.CONSUME(T.Identifier);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.SUBRULE(this.expr, { LABEL: "index" });
          this.OPTION(() =>
            this.OR1([
              {
                ALT: () => {
                  this.CONSUME(T.Colon);
                  this.SUBRULE1(this.expr, { LABEL: "lo" });
                },
              },
              {
                ALT: () => {
                  this.CONSUME(T.Comma);
                  this.SUBRULE2(this.expr, { LABEL: "units" });
                },
              },
            ]),
          );
          this.CONSUME(T.RBracket);
        },
      },
    ]);
  });

  public primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(Kw.true) },
      { ALT: () => this.CONSUME(Kw.false) },
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION(() => {
            this.CONSUME(T.LParen);
            this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expr, { LABEL: "arg" }) });
            this.CONSUME(T.RParen);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(Kw.mem);
          this.CONSUME(T.LBracket);
          this.SUBRULE1(this.expr, { LABEL: "addr" });
          this.OPTION1(() => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.expr, { LABEL: "units" });
          });
          this.CONSUME(T.RBracket);
        },
      },
      {
        ALT: () => {
          this.CONSUME1(T.LParen);
          this.SUBRULE3(this.expr, { LABEL: "inner" });
          this.CONSUME1(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(Kw.if);
          this.SUBRULE4(this.expr, { LABEL: "cond" });
          this.CONSUME(Kw.then);
          this.SUBRULE5(this.expr, { LABEL: "then" });
          this.CONSUME(Kw.else);
          this.SUBRULE6(this.expr, { LABEL: "else" });
        },
      },
    ]);
  });
}

/** The one parser instance: Chevrotain parsers are built once and reset per input. */
export const isaParser = new IsaParser();
