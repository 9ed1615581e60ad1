import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

// `*.unit.test.ts` anywhere under test/ or tools/ is a unit test, whatever folder it sits in.
const UNIT_ANYWHERE = ["test/**/*.unit.test.ts", "tools/**/*.unit.test.ts"];

export default defineConfig({
  test: {
    // Inherited by every project (`extends` defaults to true).
    // Each file gets its own Pulumi runtime state (mocks, config) in its own process.
    pool: "forks",
    // vitest's default (cores - 1) is one worker on a 2-core machine: the unit tier would run a file at a
    // time. Its files wait on the Pulumi runtime as much as on the CPU, so two run side by side even there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    // Projects run by sequence.groupOrder, one group after another; vitest runs the projects of one group
    // together only when their maxWorkers agree, so each serial project has a group of its own.
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", ...UNIT_ANYWHERE],
          // No cluster, no engine: files run side by side (maxWorkers above).
          fileParallelism: true,
          // The tiers run one after another, unit first, so the serial tiers never share the cores with it.
          // Not 0: vitest runs a single-worker project of group 0 last, apart (as it would on a 2-core machine).
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: "policy",
          // The policy pack served as a process over the analyzer protocol; no cluster, no engine.
          include: ["test/policy/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...UNIT_ANYWHERE],
          // Each file starts the pack once. Beside the unit tier, with its worker count (vitest runs
          // projects of one group together only when their maxWorkers agree).
          fileParallelism: true,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: "checklist",
          // The checklist's sources against real git repositories, loopback servers and Debian's registry,
          // Alertmanager and Prometheus. Alone in its group: its tests time the sources' bounds.
          include: ["test/checklist/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...UNIT_ANYWHERE, "test/checklist/**/*.cluster.test.ts"],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: "prometheus",
          // A real Prometheus (Debian's package) per file, scraping a loopback metrics server; light on CPU.
          include: ["test/prometheus/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...UNIT_ANYWHERE],
          fileParallelism: false,
          sequence: { groupOrder: 3 },
        },
      },
      {
        test: {
          name: "checks",
          // The checker against real HTTP servers on loopback (each on its own free port); light on CPU.
          // Beside the unit tier, with its worker count (one group's projects must agree on it).
          include: ["test/checks/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...UNIT_ANYWHERE, "test/checks/**/*.cluster.test.ts"],
          fileParallelism: true,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: "cluster",
          include: ["test/standins/**/*.test.ts", "tools/cluster/**/*.test.ts", "test/checks/**/*.cluster.test.ts", "test/checklist/**/*.cluster.test.ts"],
          exclude: [...configDefaults.exclude, ...UNIT_ANYWHERE],
          // Each file starts a control plane; on two cores they take turns.
          fileParallelism: false,
          sequence: { groupOrder: 4 },
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...UNIT_ANYWHERE],
          // Each file starts a control plane and an engine; on two cores they take turns.
          fileParallelism: false,
          sequence: { groupOrder: 5 },
        },
      },
    ],
  },
});
