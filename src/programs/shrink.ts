/**
 * Shrinking with fast-check: a custom arbitrary whose only value is the failing case found, and whose
 * shrinker proposes the smaller cases the caller lists (fewer instructions, simpler state). fast-check
 * walks them, keeping the smallest case that still fails. Candidates the caller cannot use count as
 * passing, so the result is always a usable case. Shared by the difftest and the equivalence tests.
 */
import fc from "fast-check";

class Shrinks<T> extends fc.Arbitrary<T> {
  constructor(
    private readonly found: T,
    private readonly smaller: (value: T) => Iterable<T>,
  ) {
    super();
  }

  generate(): fc.Value<T> {
    return new fc.Value(this.found, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is T {
    return false;
  }

  shrink(value: T): fc.Stream<fc.Value<T>> {
    return fc.Stream.of(...this.smaller(value)).map((p) => new fc.Value(p, undefined));
  }
}

/**
 * The smallest case that still `fails`, starting from one that does, trying the `smaller` ones of
 * each (at most `maxChecks` checks).
 */
export function shrinkCase<T>(found: T, smaller: (value: T) => Iterable<T>, fails: (value: T) => boolean, maxChecks = 400): T {
  let checks = 0;
  const result = fc.check(
    fc.property(new Shrinks(found, smaller), (p) => {
      checks++;
      if (checks > maxChecks) return true;
      return !fails(p);
    }),
    { numRuns: 1, endOnFailure: false },
  );
  return result.failed && result.counterexample ? result.counterexample[0] : found;
}
