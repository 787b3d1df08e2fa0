/**
 * Three-valued answers: a solver timeout or `unknown` is "inconclusive", which must never be
 * mistaken for a proof. The connectives are Kleene's.
 */
export type Tri = true | false | "inconclusive";

export function or3(...xs: Tri[]): Tri {
  if (xs.includes(true)) return true;
  return xs.includes("inconclusive") ? "inconclusive" : false;
}

export function and3(...xs: Tri[]): Tri {
  if (xs.includes(false)) return false;
  return xs.includes("inconclusive") ? "inconclusive" : true;
}

export function not3(x: Tri): Tri {
  return x === "inconclusive" ? x : !x;
}
