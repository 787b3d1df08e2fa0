/** The shared fast-check shrinker walks the candidates it is given down to the smallest failing case. */
import { expect, test } from "vitest";
import { shrinkCase } from "../../src/programs/shrink.js";

test("shrinks a list to the two elements that fail together, trying only the smaller lists it is offered", () => {
  const smaller = function* (xs: number[]) {
    for (let i = 0; i < xs.length; i++) yield [...xs.slice(0, i), ...xs.slice(i + 1)];
  };
  const fails = (xs: number[]) => xs.includes(3) && xs.includes(7);
  expect(shrinkCase([1, 2, 3, 4, 5, 6, 7, 8], smaller, fails)).toEqual([3, 7]);
  // A case that does not fail comes back as it was.
  expect(shrinkCase([1, 2], smaller, fails)).toEqual([1, 2]);
});
