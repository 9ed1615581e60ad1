// The stack config of safe-deploy, as one zod schema. Everything a stack file
// configures is described here, with the defaults a production runbook wants;
// the program never reads a config key that is not in this schema.
import * as semver from "semver";
import { z } from "zod";

/** A release version: semver, optionally with a leading `v` (`v2.4.0`, `v3.2.0-rc.1`). */
export const versionSchema = z.string().superRefine((value, ctx) => {
  if (semver.valid(value) === null) {
    ctx.addIssue({ code: "custom", message: `must be a semantic version such as v2.4.0 (got '${value}')` });
  } else if (!/^v?[0-9a-z.-]+$/.test(value)) {
    // The version becomes an image tag and part of object names: lowercase, no '+'.
    ctx.addIssue({
      code: "custom",
      message: `must use only lowercase letters, digits, '.' and '-' so it can be an image tag and part of a name (got '${value}')`,
    });
  }
});

/** An object name Kubernetes accepts as a Deployment, Service and label value (RFC 1123 label, short enough for suffixes). */
const serviceNameSchema = z
  .string()
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, {
    message: "must be a lowercase RFC 1123 name: letters, digits and '-', starting with a letter",
  })
  .max(40, { message: "must be at most 40 characters, so that '-canary', '-green' and '-migration-<version>' still fit" });

/** An RFC 1123 label: namespaces, Secret and Gateway names. */
const dnsLabelSchema = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: "must be a lowercase RFC 1123 label" })
  .max(63, { message: "must be at most 63 characters" });

/** An image repository without tag or digest: the tag is always the configured version. */
export const imageSchema = z.string().superRefine((value, ctx) => {
  const lastSegment = value.slice(value.lastIndexOf("/") + 1);
  if (value.includes("@")) {
    ctx.addIssue({ code: "custom", message: `must be an image repository without a digest; the version picks the tag (got '${value}')` });
  } else if (lastSegment.includes(":")) {
    const tag = lastSegment.slice(lastSegment.indexOf(":") + 1);
    const why = tag === "latest" ? "':latest' is never deployed, because it does not say what runs" : "the version picks the tag";
    ctx.addIssue({ code: "custom", message: `must be an image repository without a tag: ${why} (got '${value}')` });
  } else if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(value)) {
    ctx.addIssue({ code: "custom", message: `must be an image repository such as registry.example.com/shop/user-api (got '${value}')` });
  }
});

const quantitySchema = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, { message: "must be a Kubernetes quantity such as 250m or 256Mi" });

const resourceAmountsSchema = z.strictObject({ cpu: quantitySchema, memory: quantitySchema });

/** Requests and limits; both are required on every container in production. */
export const resourcesSchema = z.strictObject({
  requests: resourceAmountsSchema.default({ cpu: "100m", memory: "128Mi" }),
  limits: resourceAmountsSchema.default({ cpu: "500m", memory: "256Mi" }),
});

const httpPathSchema = z.string().regex(/^\/[^\s]*$/, { message: "must be an HTTP path starting with '/'" });

/**
 * A label value. `pulumi config set --path` stores `true` and `8080` as a
 * boolean and a number; a label is text either way, so take them as text.
 */
const labelValueSchema = z
  .union([z.string(), z.boolean(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/, { message: "must be a label value: at most 63 letters, digits, '-', '_' or '.'" }).max(63));

/** A database migration run as a Job before the Deployment that needs it. */
export const migrationSchema = z.strictObject({
  /** Job name prefix: the Job is `<name>-<version>`. @default `<service>-migration` */
  name: serviceNameSchema.optional(),
  /** The version whose code needs this migration. @default the newest version the service runs */
  version: versionSchema.optional(),
  /** Image repository of the migration. @default the service's image */
  image: imageSchema.optional(),
  command: z.array(z.string().min(1)).min(1, { message: "must name the migration command, e.g. [\"./migrate\", \"up\"]" }),
  /** expand: backward compatible, the old version keeps working; contract: removes what the old version used. */
  kind: z.enum(["expand", "contract"], { message: "must be 'expand' (backward compatible) or 'contract'" }),
  /** Retries before the Job is Failed. @default 2 */
  backoffLimit: z.int().min(0).max(10).default(2),
  /** Seconds before a running migration is stopped and Failed. @default 600 */
  activeDeadlineSeconds: z.int().min(30).max(86_400).default(600),
  /** Names of existing Secrets whose keys become environment variables (database credentials). @default [] */
  envFromSecrets: z.array(dnsLabelSchema).default([]),
  /** Extra labels on the migration's pods (a mesh opt-out, a node pool). @default {} */
  podLabels: z.record(z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, { message: "must be a label key" }), labelValueSchema).default({}),
});

/** Gateway API HTTPRoute for exact canary weights. */
export const httpRouteSchema = z.strictObject({
  /** The Gateway the route attaches to. */
  gatewayName: dnsLabelSchema,
  /** @default the stack's namespace */
  gatewayNamespace: dnsLabelSchema.optional(),
  /** @default [] (all hostnames the Gateway serves) */
  hostnames: z.array(z.string().min(1)).default([]),
});

const commonServiceFields = {
  name: serviceNameSchema,
  image: imageSchema,
  /** Pods of the service in total (for blue-green: per slot; for canary: stable + canary). @default 2 */
  replicas: z.int().min(1).max(1000).default(2),
  /** The container port serving HTTP. @default 8080 */
  port: z.int().min(1).max(65_535).default(8080),
  /** Answers 200 when the process is healthy; used by readiness and liveness probes. @default /health */
  healthPath: httpPathSchema.default("/health"),
  /** Reports the running version; smoke tests compare it with the deployed one. @default /version */
  versionPath: httpPathSchema.default("/version"),
  resources: resourcesSchema.default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } }),
  /** A rollout that makes no progress for this long fails the update. @default 300 */
  progressDeadlineSeconds: z.int().min(30).max(3600).default(300),
  /** Old ReplicaSets kept for `kubectl rollout undo`. @default 10 */
  revisionHistoryLimit: z.int().min(5, { message: "must be at least 5, so that `kubectl rollout undo` has revisions to go back to" }).max(100).default(10),
  /** Names of existing Secrets whose keys become environment variables. @default [] */
  envFromSecrets: z.array(dnsLabelSchema).default([]),
  migration: migrationSchema.optional(),
};

export const rollingServiceSchema = z.strictObject({
  ...commonServiceFields,
  strategy: z.literal("rolling"),
  /** The version that runs. */
  version: versionSchema,
  /** The version that ran before: the rollback target. */
  previousVersion: versionSchema.optional(),
});

export const slotSchema = z.enum(["blue", "green"], { message: "must be 'blue' or 'green'" });

export const blueGreenServiceSchema = z.strictObject({
  ...commonServiceFields,
  strategy: z.literal("blue-green"),
  /** Version of the blue slot; absent: the slot is not deployed. */
  blueVersion: versionSchema.optional(),
  /** Version of the green slot; absent: the slot is not deployed. */
  greenVersion: versionSchema.optional(),
  /** The slot the live Service sends traffic to. */
  liveSlot: slotSchema,
  /** Scale the standby slot to 0. Leave false until the new slot has proved itself: the standby is the rollback. @default false */
  retireStandby: z.boolean().default(false),
});

export const canaryServiceSchema = z.strictObject({
  ...commonServiceFields,
  strategy: z.literal("canary"),
  stableVersion: versionSchema,
  /** Absent: no canary track (after a promotion). */
  canaryVersion: versionSchema.optional(),
  /** Percent of traffic (and of replicas) on the canary. 0 aborts the canary. @default 0 */
  canaryWeight: z
    .int({ error: (issue) => `must be a whole number of percent (got ${JSON.stringify(issue.input)})` })
    .min(0, { error: (issue) => `must be between 0 and 100 (got ${String(issue.input)})` })
    .max(100, { error: (issue) => `must be between 0 and 100 (got ${String(issue.input)})` })
    .default(0),
  /** Exact weights on a Gateway API HTTPRoute instead of replica ratio only. */
  httpRoute: httpRouteSchema.optional(),
});

export const serviceSchema = z.discriminatedUnion("strategy", [rollingServiceSchema, blueGreenServiceSchema, canaryServiceSchema], {
  message: "strategy must be 'rolling', 'blue-green' or 'canary'",
});

export const environmentSchema = z.enum(["staging", "production"], { message: "must be 'staging' or 'production'" });

export const stackConfigSchema = z
  .strictObject({
    environment: environmentSchema,
    namespace: dnsLabelSchema,
    /** Create the namespace (with the restricted Pod Security level); false when it exists already. @default true */
    createNamespace: z.boolean().default(true),
    services: z.array(serviceSchema).min(1, { message: "must list at least one service" }),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.services.forEach((service, index) => {
      const first = seen.get(service.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["services", index, "name"],
          message: `'${service.name}' is already the name of services[${first}]; service names must be unique`,
        });
      } else {
        seen.set(service.name, index);
      }
      for (const issue of serviceIssues(service)) {
        ctx.addIssue({ code: "custom", path: ["services", index, ...issue.path], message: issue.message });
      }
    });
  });

interface ServiceIssue {
  readonly path: readonly string[];
  readonly message: string;
}

/** Rules across fields of one service, which a field's own schema cannot see. */
function serviceIssues(service: ServiceConfig): ServiceIssue[] {
  const issues: ServiceIssue[] = [];
  switch (service.strategy) {
    case "rolling":
      if (service.previousVersion !== undefined && service.previousVersion === service.version) {
        issues.push({ path: ["previousVersion"], message: `must differ from version (both are '${service.version}')` });
      }
      break;
    case "blue-green": {
      const liveKey = service.liveSlot === "blue" ? "blueVersion" : "greenVersion";
      if (service[liveKey] === undefined) {
        issues.push({ path: [liveKey], message: `must be set: liveSlot is '${service.liveSlot}', so that slot needs a version to serve traffic` });
      }
      break;
    }
    case "canary":
      if (service.canaryWeight > 0 && service.canaryVersion === undefined) {
        issues.push({ path: ["canaryVersion"], message: `must be set when canaryWeight is ${service.canaryWeight}` });
      }
      if (service.canaryWeight > 0 && service.canaryWeight < 100 && service.replicas < 2) {
        issues.push({
          path: ["replicas"],
          message: `must be at least 2 for a canary at ${service.canaryWeight}%: with 1 replica the canary would take all traffic`,
        });
      }
      break;
  }
  if (service.migration?.version !== undefined && !runsVersion(service, service.migration.version)) {
    issues.push({ path: ["migration", "version"], message: `'${service.migration.version}' is not a version this service runs` });
  }
  return issues;
}

function runsVersion(service: ServiceConfig, version: string): boolean {
  switch (service.strategy) {
    case "rolling":
      return service.version === version;
    case "blue-green":
      return service.blueVersion === version || service.greenVersion === version;
    case "canary":
      return service.stableVersion === version || service.canaryVersion === version;
  }
}

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type RollingServiceConfig = z.infer<typeof rollingServiceSchema>;
export type BlueGreenServiceConfig = z.infer<typeof blueGreenServiceSchema>;
export type CanaryServiceConfig = z.infer<typeof canaryServiceSchema>;
export type MigrationConfig = z.infer<typeof migrationSchema>;
export type HttpRouteConfig = z.infer<typeof httpRouteSchema>;
export type ResourcesConfig = z.infer<typeof resourcesSchema>;
export type Slot = z.infer<typeof slotSchema>;
export type Environment = z.infer<typeof environmentSchema>;
