// The production stack as the program produces it, each with one thing wrong
// that exactly one policy refuses. Most are edits an operator could make in
// the stack file (the program then produces the bad objects itself); the rest
// change one field of one object, for what the program never produces (a
// mistake in a future component, a hand-written resource beside it).
import type { StackOutputs } from "../../program";
import { edited, REMOVE, type Path } from "./fixtures";
import type { EngineResource } from "./support/analyzer";
import { programResources } from "./support/engine-resources";
import type { StackEdit } from "../support/run-program";

export interface BadFixture {
  /** What is wrong, as a name. */
  readonly name: string;
  /** The one policy that refuses it. */
  readonly policy: string;
  /** A phrase the violation's message contains. */
  readonly says: string;
  readonly resources: () => Promise<EngineResource[]>;
}

/** The production stack's `services` output as the program produces it for `edit`: "the last update". */
async function servicesAfter(edit?: StackEdit): Promise<StackOutputs["services"]> {
  return (await programResources("production", edit)).outputs.services;
}

/** Production as shipped, run again over its own last outputs (a steady state), unless other previous outputs are given. */
async function production(edit?: StackEdit, previous?: StackOutputs["services"]): Promise<EngineResource[]> {
  return (await programResources("production", edit, previous ?? (await servicesAfter()))).resources;
}

/** Changes one field of the object `kind`/`name` (inputs and outputs alike). */
function changed(resources: EngineResource[], type: string, name: string, path: Path, value: unknown): EngineResource[] {
  let found = false;
  const result = resources.map((resource) => {
    const metadata = resource.inputs["metadata"] as { name?: unknown } | undefined;
    if (resource.type !== type || metadata?.name !== name) return resource;
    found = true;
    return { ...resource, inputs: edited(resource.inputs, path, value), outputs: edited(resource.outputs, path, value) };
  });
  if (!found) throw new Error(`no ${type} named ${name} in the program's resources`);
  return result;
}

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CONTAINER = ["spec", "template", "spec", "containers", 0] as const;

export const BAD_FIXTURES: readonly BadFixture[] = [
  {
    name: "user-api-image-latest",
    policy: "disallow-unpinned-images",
    says: "Deployment production/user-api, container 'user-api': image 'registry.example.com/shop/user-api:latest' uses ':latest'",
    resources: async () => changed(await production(), DEPLOYMENT, "user-api", [...CONTAINER, "image"], "registry.example.com/shop/user-api:latest"),
  },
  {
    name: "payment-green-without-readiness-probe",
    policy: "configure-health-probes",
    says: "Deployment production/payment-service-green, container 'payment-service': no readinessProbe",
    resources: async () => changed(await production(), DEPLOYMENT, "payment-service-green", [...CONTAINER, "readinessProbe"], REMOVE),
  },
  {
    name: "recommendation-engine-without-limits",
    policy: "configure-resource-limits",
    says: "Deployment production/recommendation-engine, container 'recommendation-engine': no resources.limits.cpu, resources.limits.memory",
    resources: async () => changed(await production(), DEPLOYMENT, "recommendation-engine", [...CONTAINER, "resources", "limits"], REMOVE),
  },
  {
    name: "user-api-privileged",
    policy: "enforce-restricted-pods",
    says: "container 'user-api' is privileged",
    resources: async () => changed(await production(), DEPLOYMENT, "user-api", [...CONTAINER, "securityContext", "privileged"], true),
  },
  {
    name: "user-api-password-literal",
    policy: "disallow-secret-literals",
    says: "DB_PASSWORD is set to a literal value",
    resources: async () =>
      changed(await production(), DEPLOYMENT, "user-api", [...CONTAINER, "env"], [
        { name: "SERVICE_VERSION", value: "v2.4.0" },
        { name: "DB_PASSWORD", value: "hunter2" },
      ]),
  },
  {
    name: "migration-deletes-itself",
    policy: "configure-bounded-migrations",
    says: "Job production/payment-migration-v3.2.0 sets ttlSecondsAfterFinished",
    resources: async () => changed(await production(), "kubernetes:batch/v1:Job", "payment-migration-v3.2.0", ["spec", "ttlSecondsAfterFinished"], 600),
  },
  {
    name: "user-api-one-replica",
    policy: "enforce-minimum-replicas",
    says: "Deployment production/user-api runs 1 replica; at least 2 are required",
    resources: () => production((raw) => (raw.services["user-api"]!["replicas"] = 1)),
  },
  {
    name: "user-api-without-disruption-budget",
    policy: "configure-pod-disruption-budget",
    says: "Deployment production/user-api runs 5 replicas but no PodDisruptionBudget selects its pods",
    resources: async () =>
      (await production()).filter((r) => !(r.type === "kubernetes:policy/v1:PodDisruptionBudget" && (r.inputs["metadata"] as { name?: string }).name === "user-api")),
  },
  {
    name: "user-api-max-unavailable-25",
    policy: "enforce-safe-rolling-update",
    says: 'Deployment production/user-api: strategy.rollingUpdate.maxUnavailable is "25%"',
    resources: async () => changed(await production(), DEPLOYMENT, "user-api", ["spec", "strategy", "rollingUpdate", "maxUnavailable"], "25%"),
  },
  {
    name: "contract-migration-while-blue-serves",
    policy: "disallow-premature-contract-migration",
    says: "is a contract migration to v3.2.0, but Deployment production/payment-service-blue (v3.1.0, 4 pods) still serves an older version",
    resources: () => production((raw) => ((raw.services["payment-service"]!["migration"] as Record<string, unknown>)["kind"] = "contract")),
  },
  {
    name: "standby-retired-with-the-switch",
    policy: "disallow-standby-retired-on-switch",
    says: "switches traffic from slot blue to green in this update, and the same update scales Deployment production/payment-service-blue to 0",
    resources: async () =>
      production(
        (raw) => (raw.services["payment-service"]!["retireStandby"] = true),
        await servicesAfter((raw) => (raw.services["payment-service"]!["liveSlot"] = "blue")),
      ),
  },
  {
    name: "live-service-on-a-retired-slot",
    policy: "enforce-switch-to-ready-slot",
    says: "sends traffic to Deployment production/payment-service-blue, which is scaled to 0",
    resources: async () =>
      changed(
        await production((raw) => (raw.services["payment-service"]!["retireStandby"] = true)),
        "kubernetes:core/v1:Service",
        "payment-service",
        ["spec", "selector", "version"],
        "blue",
      ),
  },
  {
    name: "canary-jumps-from-20-to-50",
    policy: "enforce-canary-steps",
    says: "moves from 20% to 50% of the traffic (by the replica ratio), past the next step",
    resources: () => production((raw) => (raw.services["recommendation-engine"]!["canaryWeight"] = 50)),
  },
  {
    name: "release-without-rollback-target",
    policy: "enforce-rollback-target",
    says: "Service 'user-api' has no rollback target",
    resources: () =>
      production((raw) => {
        raw.services["user-api"]!["version"] = "v2.5.0";
        delete raw.services["user-api"]!["previousVersion"];
      }),
  },
];
