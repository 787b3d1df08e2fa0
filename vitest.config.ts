import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Tests analyse afresh: a verdict cache left by a development build must not answer for them.
    env: { POPEK_CACHE: "off" },
  },
});
