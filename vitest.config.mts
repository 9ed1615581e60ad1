import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "tools/**/*.test.ts"],
    // Each file gets its own Pulumi runtime state (mocks, config) in its own process.
    pool: "forks",
    testTimeout: 30_000,
  },
});
