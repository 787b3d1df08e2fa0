import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Tests analyse afresh: a verdict cache left by a development build must not answer for them.
    env: { POPEK_CACHE: "off" },
    // Each bundled spec is analysed once per run, into a cache that lives as long as the run, for
    // the tests that need whole-spec verdicts (pins, equivalence, VMM kernels).
    globalSetup: ["test/setup/analyse-bundled.ts"],
  },
});
