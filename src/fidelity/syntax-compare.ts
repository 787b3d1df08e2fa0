/**
 * Compares assembly text the way a reader does: case, spacing around punctuation, objdump's trailing
 * comments and symbol annotations do not matter, and numbers are compared by value (modulo 2^32, so
 * objdump's '0xfffffffb' is popek's '-5').
 */

/** objdump's instruction text without its comment and symbol annotations. */
export function stripObjdump(text: string): string {
  return text
    .replace(/\s*[;@#]\s.*$/, "") // '; comment', '@ 0xff000000', '# 0x10'
    .replace(/\b([0-9a-f]+) <[^>]*>/g, "0x$1") // branch targets: '10 <.text+0x10>'
    .trim();
}

/** Tokens of an assembly line with numbers canonicalized. */
export function canonical(text: string): string {
  const t = text.toLowerCase().replace(/\s+/g, " ").trim();
  const tokens = t.match(/[+-]?(?:0x[0-9a-f]+|\d+)\b|[a-z_.$][a-z0-9_.$]*|\S/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const m = /^([+-]?)(0x[0-9a-f]+|\d+)$/.exec(tok);
    if (!m) {
      out.push(tok);
      continue;
    }
    // A sign is part of the number unless it follows a value (then it is an operator in both texts).
    let v = BigInt(m[2]!);
    if (m[1] === "-") v = -v;
    const sign = m[1] !== "" && /[\w\])]$/.test(out[out.length - 1] ?? "") ? "+" : "";
    out.push(`${sign}#${BigInt.asUintN(32, v).toString(16)}`);
  }
  return out.join(" ");
}

/** Whether two lines of assembly say the same thing. */
export function sameAssembly(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}
