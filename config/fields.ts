// The field schemas a service's config is built from, shared by every
// strategy's own schema part (strategies/) and the stack schema
// (config/schema.ts): versions, names, images, resources, labels, the
// migration, and the fields every strategy has.
import * as semver from "semver";
import { z } from "zod";
import { checksSchema } from "./checks";
import { QUANTITY_PATTERN, quantityValue } from "../lib/quantity";

/** A release version: semver, optionally with a leading `v` (`v2.4.0`, `v3.2.0-rc.1`). */
export const versionSchema = z.string().superRefine((value, ctx) => {
  if (value.length > 63) {
    // It is the `app.kubernetes.io/version` label value, and label values stop at 63.
    ctx.addIssue({ code: "custom", message: `must be at most 63 characters, since it becomes a label value (got ${value.length})` });
  } else if (semver.valid(value) === null) {
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
export const serviceNameSchema = z
  .string()
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, {
    message: "must be a lowercase RFC 1123 name: letters, digits and '-', starting with a letter",
  })
  .max(40, { message: "must be at most 40 characters, so that '-canary', '-green' and '-migration-<version>' still fit" });

/** An RFC 1123 label: namespaces, Secret and Gateway names. */
export const dnsLabelSchema = z
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

/** `pulumi config set --path` stores `1` and `2` as numbers; a quantity is text either way. */
const quantitySchema = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(QUANTITY_PATTERN, { message: "must be a Kubernetes quantity such as 250m, 1, 256Mi or 1Gi" }));

const resourceAmountsSchema = z.strictObject({ cpu: quantitySchema, memory: quantitySchema });

/** Requests and limits; both are required on every container in production. */
export const resourcesSchema = z
  .strictObject({
    /** @default cpu 100m, memory 128Mi */
    requests: resourceAmountsSchema.default({ cpu: "100m", memory: "128Mi" }),
    /** @default cpu 500m, memory 256Mi */
    limits: resourceAmountsSchema.default({ cpu: "500m", memory: "256Mi" }),
  })
  .superRefine((resources, ctx) => {
    for (const resource of ["cpu", "memory"] as const) {
      const request = resources.requests[resource];
      const limit = resources.limits[resource];
      // The API server refuses a container whose request is above its limit.
      if ((quantityValue(request) ?? 0) > (quantityValue(limit) ?? Infinity)) {
        ctx.addIssue({ code: "custom", path: ["requests", resource], message: `must not be above limits.${resource} (request ${request}, limit ${limit})` });
      }
    }
  });

const httpPathSchema = z
  .string()
  .regex(/^\/[^\s]*$/, { message: "must be an HTTP path starting with '/', without spaces" })
  .max(1024, { message: "must be at most 1024 characters" });

/**
 * A label value. `pulumi config set --path` stores `true` and `8080` as a
 * boolean and a number; a label is text either way, so take them as text.
 */
const labelValueSchema = z
  .union([z.string(), z.boolean(), z.number()])
  .transform(String)
  .pipe(
    z
      .string()
      .max(63, { message: "must be a label value of at most 63 characters" })
      .regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/, { message: "must be a label value: letters, digits, '-', '_' or '.', starting and ending with a letter or digit" }),
  );

/** Label keys the program sets itself: a pod label of the same key would change what Services and Jobs select. */
const RESERVED_LABEL = /^(app|version|pod-template-hash|controller-uid|job-name|safe-deploy\.dev\/migration-kind|app\.kubernetes\.io\/.*|batch\.kubernetes\.io\/.*)$/;

/** A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
const labelKeySchema = z.string().superRefine((key, ctx) => {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = key.slice(slash + 1);
  const nameOk = name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name);
  const prefixOk = prefix === undefined || (prefix.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(prefix));
  if (!nameOk || !prefixOk) {
    ctx.addIssue({ code: "custom", message: `'${key}' is not a label key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.'` });
  } else if (RESERVED_LABEL.test(key)) {
    ctx.addIssue({ code: "custom", message: `'${key}' is a label safe-deploy sets itself; choose another key` });
  }
});

const podLabelsSchema = z.record(labelKeySchema, labelValueSchema).default({});

/** A database migration run as a Job before the Deployment that needs it. */
export const migrationSchema = z.strictObject({
  /** Job name prefix: the Job is `<name>-<version>`. @default `<service>-migration` */
  name: serviceNameSchema.optional(),
  /** The version whose code needs this migration. @default the newest version the service runs */
  version: versionSchema.optional(),
  /** Image repository of the migration. @default the service's image */
  image: imageSchema.optional(),
  command: z
    .array(z.string().min(1, { message: "must not be an empty argument" }))
    .min(1, { message: "must name the migration command, e.g. [\"./migrate\", \"up\"]" }),
  /** expand: backward compatible, the old version keeps working; contract: removes what the old version used. */
  kind: z.enum(["expand", "contract"], { message: "must be 'expand' (backward compatible) or 'contract'" }),
  /** Retries before the Job is Failed. @default 2 */
  backoffLimit: z.int().min(0).max(10, { message: "must be at most 10: a migration that failed ten times needs a person, not an eleventh try" }).default(2),
  /** Seconds before a running migration is stopped and Failed. @default 600 */
  activeDeadlineSeconds: z.int().min(30).max(86_400).default(600),
  /** Names of existing Secrets whose keys become environment variables (database credentials). @default [] */
  envFromSecrets: z.array(dnsLabelSchema).default([]),
  /** Extra labels on the migration's pods (a mesh opt-out, a node pool). @default {} */
  podLabels: podLabelsSchema,
});
export const commonServiceFields = {
  /** Image repository without tag; the version is the tag. */
  image: imageSchema,
  /** Pods of the service in total (for blue-green: per slot; for canary: stable + canary). @default 2 */
  replicas: z.int().min(1, { message: "must be at least 1; to stop a service, remove it" }).max(1000).default(2),
  /** The container port serving HTTP. @default 8080 */
  port: z.int().min(1).max(65_535).default(8080),
  /** Answers 200 when the process is healthy; used by readiness and liveness probes. @default /health */
  healthPath: httpPathSchema.default("/health"),
  /** Reports the running version; smoke tests compare it with the deployed one. @default /version */
  versionPath: httpPathSchema.default("/version"),
  /** @default requests 100m / 128Mi, limits 500m / 256Mi */
  resources: resourcesSchema.prefault({}),
  /** A rollout that makes no progress for this long fails the update. @default 300 */
  progressDeadlineSeconds: z.int().min(30).max(3600).default(300),
  /** Old ReplicaSets kept for `kubectl rollout undo`. @default 10 */
  revisionHistoryLimit: z.int().min(5, { message: "must be at least 5, so that `kubectl rollout undo` has revisions to go back to" }).max(100).default(10),
  /** Names of existing Secrets whose keys become environment variables. @default [] */
  envFromSecrets: z.array(dnsLabelSchema).default([]),
  /** Extra labels on the service's pods (a mesh opt-in, a cost centre); never one safe-deploy sets itself. @default {} */
  podLabels: podLabelsSchema,
  /** A migration Job run before the version that needs it. @default - none */
  migration: migrationSchema.optional(),
  /** Smoke, verify and notify steps inside the update (config/checks.ts). @default - none */
  checks: checksSchema.optional(),
};

export const environmentSchema = z.enum(["staging", "production"], { message: "must be 'staging' or 'production'" });

export type MigrationConfig = z.infer<typeof migrationSchema>;
export type ResourcesConfig = z.infer<typeof resourcesSchema>;
export type Environment = z.infer<typeof environmentSchema>;
