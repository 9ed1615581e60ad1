// The stack config of safe-deploy, as one zod schema. Everything a stack file
// configures is described here, with the defaults a production runbook wants;
// the program never reads a config key that is not in this schema.
import { z } from "zod";
import { checklistSchema } from "./checklist";
import { checksIssues, checkStackFields } from "./checks";
import { checklistWaiversSchema } from "./checklist-waivers";
import { dnsLabelSchema, environmentSchema, serviceNameSchema } from "./fields";
import { ownedObjects, objectNameProblem } from "../lib/object-names";
import { serviceSchema, strategyOf, type ServiceConfig } from "../strategies/registry";
import type { ConfigIssue } from "../strategies/strategy";

export { environmentSchema, imageSchema, migrationSchema, resourcesSchema, serviceNameSchema, versionSchema } from "./fields";
export type { Environment, MigrationConfig, ResourcesConfig } from "./fields";
export { serviceSchema } from "../strategies/registry";
export type { ServiceConfig } from "../strategies/registry";
export { blueGreenServiceSchema, slotSchema, type BlueGreenServiceConfig } from "../strategies/blue-green";
export { canaryServiceSchema, httpRouteSchema, type CanaryServiceConfig, type HttpRouteConfig } from "../strategies/canary";
export { rollingServiceSchema, type RollingServiceConfig } from "../strategies/rolling";

/**
 * The services, keyed by name (`services: { user-api: {...} }`), so a printed
 * `pulumi config set --path 'services.user-api.version'` never depends on the
 * order of the file, and names are unique by construction. Parsed into a list
 * in the file's order, each entry carrying its name.
 */
const servicesSchema = z
  .record(z.string(), serviceSchema, {
    error: (issue) => (issue.code === "invalid_type" && issue.input !== undefined ? "must be a map keyed by service name, e.g. services: { user-api: { strategy: rolling, ... } }" : undefined),
  })
  .superRefine((services, ctx) => {
    if (Object.keys(services).length === 0) ctx.addIssue({ code: "custom", message: "must list at least one service" });
    for (const name of Object.keys(services)) {
      const parsed = serviceNameSchema.safeParse(name);
      for (const issue of parsed.error?.issues ?? []) {
        ctx.addIssue({ code: "custom", path: [name], message: `'${name}' is not a usable service name: it ${issue.message}` });
      }
    }
  })
  .transform((services): ServiceConfig[] => Object.entries(services).map(([name, spec]) => ({ name, ...spec })));

export const stackConfigSchema = z
  .strictObject({
    environment: environmentSchema,
    /** Every object goes here. */
    namespace: dnsLabelSchema,
    /** Create the namespace (with the restricted Pod Security level); false when it exists already. @default true */
    createNamespace: z.boolean().default(true),
    services: servicesSchema,
    /** Where the pre-deployment checklist's facts come from (config/checklist.ts). @default - every source not configured */
    checklist: checklistSchema.optional(),
    ...checkStackFields,
    /** Pre-deployment checklist items waived in an emergency, each with who and why; recorded on the DeploymentRecord. @default {} */
    checklistWaivers: checklistWaiversSchema,
  })
  .superRefine((config, ctx) => {
    for (const service of config.services) {
      const strategy = strategyOf(service);
      const issues = [...strategy.configIssues(service, config.environment), ...migrationIssues(service), ...checksIssues(service.checks, strategy.checkUrlNeeded(service), config.checkSecrets)];
      for (const issue of issues) {
        ctx.addIssue({ code: "custom", path: ["services", service.name, ...issue.path], message: issue.message });
      }
    }
    for (const issue of objectIssues(config.services)) {
      ctx.addIssue({ code: "custom", path: ["services", ...issue.path], message: issue.message });
    }
    // Rules across fields and services read valid fields only: they wait until every field is right.
  }, { when: (payload) => payload.issues.length === 0 });

/** A migration for a version the service does not deploy would never run before anything. */
function migrationIssues(service: ServiceConfig): ConfigIssue[] {
  const version = service.migration?.version;
  const deployed = strategyOf(service).versionsDeployed(service);
  if (version === undefined || deployed.includes(version)) return [];
  return [{ path: ["migration", "version"], message: `'${version}' is not a version this service deploys (${deployed.join(", ")})` }];
}

/** Two services that would own the same object, and derived names Kubernetes refuses. */
function objectIssues(services: readonly ServiceConfig[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const owners = new Map<string, string>();
  for (const service of services) {
    for (const object of ownedObjects(service)) {
      const key = `${object.kind}/${object.name}`;
      const owner = owners.get(key);
      if (owner !== undefined && owner !== service.name) {
        issues.push({
          path: [service.name],
          message: `would own the ${object.kind} '${object.name}', which service '${owner}' owns already; rename one of them`,
        });
      } else {
        owners.set(key, service.name);
      }
      const problem = objectNameProblem(object);
      if (problem !== undefined) {
        issues.push({ path: object.kind === "Job" ? [service.name, "migration", "name"] : [service.name], message: problem });
      }
    }
  }
  return issues;
}

export type StackConfig = z.infer<typeof stackConfigSchema>;
