// Compliant Kubernetes objects, written out by hand as a production stack of
// safe-deploy's shape would register them, and one-field edits of them: each
// failing case of a policy's tests is one of these objects with one thing
// wrong (the awsguard way).

import type { RecordedChecklist } from "../../checklist/recorded-checklist";
import { recordData } from "../../components/deployment-record";
import { serviceReport, type ServiceReport } from "../../lib/service-report";
import { serviceSchema } from "../../strategies/registry";

export type Manifest = Record<string, unknown>;
export type Path = readonly (string | number)[];

/** Marks a field to delete in `edited`. */
export const REMOVE = Symbol("remove");

/** A copy of `object` with the value at `path` replaced (or removed with REMOVE); missing parents are created. */
export function edited(object: Manifest, path: Path, value: unknown): Manifest {
  const copy = structuredClone(object);
  let node: Record<string | number, unknown> = copy;
  path.slice(0, -1).forEach((key, i) => {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = typeof path[i + 1] === "number" ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
  const last = path.at(-1)!;
  if (value === REMOVE) {
    if (Array.isArray(node) && typeof last === "number") node.splice(last, 1);
    else delete node[last];
  } else {
    node[last] = value;
  }
  return copy;
}

export const T = {
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  job: "kubernetes:batch/v1:Job",
  cronJob: "kubernetes:batch/v1:CronJob",
  pod: "kubernetes:core/v1:Pod",
  service: "kubernetes:core/v1:Service",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  configMap: "kubernetes:core/v1:ConfigMap",
  stack: "pulumi:pulumi:Stack",
} as const;

export const NS = "production";

function recommended(service: string, version: string | undefined, component = "server"): Record<string, string> {
  return {
    "app.kubernetes.io/name": service,
    "app.kubernetes.io/instance": `${service}-production`,
    ...(version === undefined ? {} : { "app.kubernetes.io/version": version }),
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": "safe-deploy",
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

const RESOURCES = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
const POD_SECURITY = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };

function probe(initialDelaySeconds: number): Manifest {
  return { httpGet: { path: "/health", port: "http" }, initialDelaySeconds, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 };
}

export interface DeploymentOptions {
  /** @default "user-api" */
  readonly service?: string;
  /** @default the service's name */
  readonly name?: string;
  /** `blue`/`green`/`stable`/`canary`. @default - none (rolling) */
  readonly variant?: string;
  /** @default "v2.4.0" */
  readonly version?: string;
  /** @default 5 */
  readonly replicas?: number;
}

/** A production Deployment as safe-deploy registers it: every policy passes. */
export function deployment(options: DeploymentOptions = {}): Manifest {
  const service = options.service ?? "user-api";
  const version = options.version ?? "v2.4.0";
  const selector = options.variant === undefined ? { app: service } : { app: service, version: options.variant };
  const labels = { ...selector, ...recommended(service, version) };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: options.name ?? service,
      namespace: NS,
      labels,
      annotations: { "pulumi.com/patchForce": "true", "pulumi.com/timeoutSeconds": "360" },
    },
    spec: {
      replicas: options.replicas ?? 5,
      selector: { matchLabels: selector },
      progressDeadlineSeconds: 300,
      revisionHistoryLimit: 10,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: service,
              image: `registry.example.com/shop/${service}:${version}`,
              imagePullPolicy: "IfNotPresent",
              ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
              env: [{ name: "SERVICE_VERSION", value: version }],
              readinessProbe: probe(2),
              livenessProbe: probe(10),
              resources: RESOURCES,
              securityContext: CONTAINER_SECURITY,
            },
          ],
        },
      },
    },
  };
}

/** A migration Job as safe-deploy registers it. */
export function migrationJob(options: { readonly kind?: "expand" | "contract"; readonly version?: string; readonly service?: string } = {}): Manifest {
  const service = options.service ?? "payment-service";
  const version = options.version ?? "v3.2.0";
  const labels = { ...recommended(service, version, "migration"), "safe-deploy.dev/migration-kind": options.kind ?? "expand" };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: `payment-migration-${version}`, namespace: NS, labels },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: 600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          containers: [
            {
              name: "migrate",
              image: `registry.example.com/shop/${service}:${version}`,
              command: ["./migrate", "up"],
              env: [{ name: "SERVICE_VERSION", value: version }],
              resources: RESOURCES,
              securityContext: CONTAINER_SECURITY,
            },
          ],
        },
      },
    },
  };
}

export function service(name: string, selector: Record<string, string>): Manifest {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: NS, labels: { app: selector["app"] ?? name } },
    spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] },
  };
}

export function pdb(name: string, matchLabels: Record<string, string>): Manifest {
  return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name, namespace: NS }, spec: { maxUnavailable: 1, selector: { matchLabels } } };
}

export function httpRoute(name: string, backends: readonly { readonly name: string; readonly weight: number }[]): Manifest {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name, namespace: NS },
    spec: { parentRefs: [{ name: "shop", namespace: NS }], rules: [{ backendRefs: backends.map((b) => ({ name: b.name, port: 80, weight: b.weight })) }] },
  };
}

export const STACK_URN = "urn:pulumi:production::safe-deploy::pulumi:pulumi:Stack::safe-deploy-production";

/** The root Stack resource with its `services` output. */
export function stackOutputs(services: Record<string, unknown>): { type: string; urn: string; name: string; props: Manifest } {
  return { type: T.stack, urn: STACK_URN, name: "safe-deploy-production", props: { services } };
}

/**
 * The DeploymentRecord (ConfigMap safe-deploy-record) as the program writes it
 * (its own recordData), each service's `from` (its `live` before its release)
 * given: a record is how the pack learns what served before (the engine hands
 * a stack policy no StackReference). `undefined`: a record from before `from`
 * was kept. test/e2e/policy-history.test.ts shows the engine hands it over.
 */
export function releasedFrom(services: Record<string, { readonly live: unknown } | Record<string, unknown>> | undefined): { type: string; name: string; props: Manifest } {
  const names = Object.keys(services ?? { "user-api": {} });
  const checklist: RecordedChecklist = {
    release: { kind: "release", gatheredAt: "2026-12-03T08:00:00.000Z", commit: null, tag: null, deployedBy: "ana", items: {} },
    services: Object.fromEntries(
      names.map((name) => {
        const live = services === undefined ? undefined : (services[name] as { live?: unknown }).live;
        const from = live === undefined ? {} : { from: live === null ? null : (live as Record<string, unknown>) };
        return [name, { fingerprint: "f", version: "v1", previousVersion: null, gatheredAt: "2026-12-03T08:00:00.000Z", items: {}, ...from }];
      }),
    ),
  };
  const data = recordData({ stack: "production", environment: "production", checklist, services: names.map((name) => ({ name, strategy: "rolling", version: "v1", previousVersion: null, rollback: null })) });
  return { type: T.configMap, name: "deployment-record-configmap", props: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "safe-deploy-record", namespace: NS }, data } };
}

/**
 * One `services.<name>` output exactly as the program reports it
 * (lib/service-report.ts, through the service's strategy), from the service's
 * stack config as an operator writes it; `image` defaults to the registry's.
 */
export function reportOf(name: string, config: Record<string, unknown>): ServiceReport {
  const spec = serviceSchema.parse({ image: `registry.example.com/shop/${name}`, ...config });
  return serviceReport({ ...spec, name }, { namespace: NS, stack: "production", environment: "production" });
}
