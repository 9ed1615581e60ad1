import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "tools/**/*.test.ts"],
    // Each file gets its own Pulumi runtime state (mocks, config) in its own process.
    pool: "forks",
    // End-to-end files each start a control plane and an engine; on two cores they take turns.
    fileParallelism: false,
    testTimeout: 30_000,
  },
});
