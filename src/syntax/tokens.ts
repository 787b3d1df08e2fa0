/**
 * The tokens of the .isa language, in one place. Order matters to Chevrotain: the first pattern that
 * matches wins, so longer operators come before their prefixes and keywords are tried before the
 * identifier (each keyword names `Identifier` as its `longer_alt`, so `register_file` stays one name).
 * Words that may also be names (user, control, pc, le, guest, ...) are not reserved: the parser reads
 * them as identifiers where the grammar expects them, so a privilege level may be called `user`.
 */
import type { TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.js";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

const keywordTokens: TokenType[] = [];
function keyword(word: string): TokenType {
  const token = createToken({ name: `Kw_${word}`, pattern: new RegExp(`${word}\\b`), longer_alt: Identifier, label: `'${word}'` });
  keywordTokens.push(token);
  return token;
}

export const Kw = {
  isa: keyword("isa"),
  include: keyword("include"),
  memory: keyword("memory"),
  register: keyword("register"),
  banked: keyword("banked"),
  hardwire: keyword("hardwire"),
  privilege: keyword("privilege"),
  const: keyword("const"),
  function: keyword("function"),
  translate: keyword("translate"),
  cause: keyword("cause"),
  trap: keyword("trap"),
  tick: keyword("tick"),
  operand: keyword("operand"),
  format: keyword("format"),
  instruction: keyword("instruction"),
  encoding: keyword("encoding"),
  syntax: keyword("syntax"),
  semantics: keyword("semantics"),
  where: keyword("where"),
  overlap: keyword("overlap"),
  config: keyword("config"),
  expect: keyword("expect"),
  bits: keyword("bits"),
  bool: keyword("bool"),
  let: keyword("let"),
  var: keyword("var"),
  if: keyword("if"),
  then: keyword("then"),
  else: keyword("else"),
  match: keyword("match"),
  for: keyword("for"),
  return: keyword("return"),
  halt: keyword("halt"),
  either: keyword("either"),
  or: keyword("or"),
  output: keyword("output"),
  mem: keyword("mem"),
  true: keyword("true"),
  false: keyword("false"),
};

export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n]|\\.)*"/ });
// A number: hex (0x), binary (0b) or decimal. Inside `encoding`, a run of 0s and 1s is a bit string.
export const NumberLiteral = createToken({ name: "NumberLiteral", pattern: /0x[0-9A-Fa-f_]+|0b[01_]+|[0-9][0-9_]*/ });

// Signed comparisons are spelled with a trailing `s` that may not run into a name (`a <s b`).
export const SignedLe = createToken({ name: "SignedLe", pattern: /<=s(?![A-Za-z0-9_])/, label: "'<=s'" });
export const SignedGe = createToken({ name: "SignedGe", pattern: />=s(?![A-Za-z0-9_])/, label: "'>=s'" });
export const SignedLt = createToken({ name: "SignedLt", pattern: /<s(?![A-Za-z0-9_])/, label: "'<s'" });
export const SignedGt = createToken({ name: "SignedGt", pattern: />s(?![A-Za-z0-9_])/, label: "'>s'" });

export const Arrow = createToken({ name: "Arrow", pattern: /->/, label: "'->'" });
export const FatArrow = createToken({ name: "FatArrow", pattern: /=>/, label: "'=>'" });
export const AndAnd = createToken({ name: "AndAnd", pattern: /&&/, label: "'&&'" });
export const OrOr = createToken({ name: "OrOr", pattern: /\|\|/, label: "'||'" });
export const EqEq = createToken({ name: "EqEq", pattern: /==/, label: "'=='" });
export const NotEq = createToken({ name: "NotEq", pattern: /!=/, label: "'!='" });
export const LtEq = createToken({ name: "LtEq", pattern: /<=/, label: "'<='" });
export const GtEq = createToken({ name: "GtEq", pattern: />=/, label: "'>='" });
export const ShiftLeft = createToken({ name: "ShiftLeft", pattern: /<</, label: "'<<'" });
export const ShiftRight = createToken({ name: "ShiftRight", pattern: />>/, label: "'>>'" });
export const Lt = createToken({ name: "Lt", pattern: /</, label: "'<'" });
export const Gt = createToken({ name: "Gt", pattern: />/, label: "'>'" });
export const Assign = createToken({ name: "Assign", pattern: /=/, label: "'='" });
export const Bang = createToken({ name: "Bang", pattern: /!/, label: "'!'" });
export const Plus = createToken({ name: "Plus", pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: "Minus", pattern: /-/, label: "'-'" });
export const Star = createToken({ name: "Star", pattern: /\*/, label: "'*'" });
export const Slash = createToken({ name: "Slash", pattern: /\//, label: "'/'" });
export const Percent = createToken({ name: "Percent", pattern: /%/, label: "'%'" });
export const Amp = createToken({ name: "Amp", pattern: /&/, label: "'&'" });
export const Pipe = createToken({ name: "Pipe", pattern: /\|/, label: "'|'" });
export const Caret = createToken({ name: "Caret", pattern: /\^/, label: "'^'" });
export const Tilde = createToken({ name: "Tilde", pattern: /~/, label: "'~'" });
export const At = createToken({ name: "At", pattern: /@/, label: "'@'" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/, label: "'{'" });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/, label: "'}'" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "']'" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "','" });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/, label: "';'" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "':'" });
export const Dot = createToken({ name: "Dot", pattern: /\./, label: "'.'" });

/** Every token, in the order the lexer tries them. */
export const allTokens: TokenType[] = [
  WhiteSpace, LineComment, BlockComment,
  StringLiteral, NumberLiteral,
  SignedLe, SignedGe, SignedLt, SignedGt,
  Arrow, FatArrow, AndAnd, OrOr, EqEq, NotEq, LtEq, GtEq, ShiftLeft, ShiftRight, Lt, Gt,
  Assign, Bang, Plus, Minus, Star, Slash, Percent, Amp, Pipe, Caret, Tilde, At,
  LParen, RParen, LBrace, RBrace, LBracket, RBracket, Comma, Semicolon, Colon, Dot,
  ...keywordTokens,
  Identifier,
];

/** The one lexer instance; Chevrotain lexers are reusable and stateless between calls. */
export const isaLexer = new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false });
