// staging-first: staging runs exactly the version production is about to
// deploy, the update that put it there succeeded, and the migration for that
// version ran there. Read from the staging stack's outputs (the `services`
// output of program.ts, one ServiceReport per service), which the program
// reads through a StackReference; this module only judges what was read.
import { z } from "zod";
import { readThrough, serviceReportSchema } from "../../lib/stack-outputs";
import { strategyOfLive, type LiveState } from "../../strategies/registry";
import type { ItemResult } from "../item";
import { fail, pass, unknown } from "../results";

/** What staging-first needs to know about one service production changes. */
export interface StagedService {
  readonly name: string;
  readonly version: string;
  /** The version whose migration production runs with this update. @default - none */
  readonly migrationVersion?: string;
}

/** What the staging stack says, as the program reads it. */
export interface StagingState {
  /** The staging stack's name (`org/project/staging`), for reasons and the command that deploys it. */
  readonly stack: string;
  /** Its `services` output (program.ts StackOutputs["services"]) as read: checked here, not trusted. */
  readonly services: unknown;
  /**
   * How staging's last update ended, where the reader can tell: the stack's
   * update history, or an output that resolves only once every resource of
   * the update is ready (`served`, lib/served.ts). The `services` output alone
   * is config, known before anything ran: it says what staging asked for.
   * @default - not known: staging-first is `unknown`
   */
  readonly lastUpdate?: { readonly result: "succeeded" | "failed" | "in-progress"; readonly endedAt?: string };
}

// Only the fields judged here, read through the outputs' contract; the rest of a ServiceReport may change freely.
const reportSchema = serviceReportSchema.pick({ live: true, migration: true });

/** Staging's update with the policy pack attached under staging's config, as the README's deploy section runs it. */
const stagingUp = (stack: string): string => `pulumi up --stack ${stack} --policy-pack policy --policy-pack-config policy/config/staging.json`;

/** The one command that brings staging to the version, as an operator would run it; by its strategy where staging has the service. */
function deployStagingFix(service: StagedService, staging: StagingState, live: LiveState | undefined): string {
  const up = stagingUp(staging.stack);
  if (live === undefined) return `deploy ${service.name} ${service.version} to staging first: ${up}`;
  return strategyOfLive(live).staging.fix(service.name, service.version, staging.stack, up);
}

export function decideStagingFirst(service: StagedService, staging: StagingState): ItemResult {
  const item = "staging-first";
  const source = `staging stack ${staging.stack} (outputs)`;
  const services = z.record(z.string(), z.unknown()).safeParse(staging.services);
  if (!services.success) {
    return fail(item, source, `staging stack ${staging.stack} has no services output: it was never deployed, or is no safe-deploy stack`, deployStagingFix(service, staging, undefined));
  }
  const raw = services.data[service.name];
  if (raw === undefined) {
    return fail(item, source, `staging does not run ${service.name}; production asks for ${service.version}`, deployStagingFix(service, staging, undefined));
  }
  const report = readThrough(reportSchema, raw, `staging's output for ${service.name}`);
  if (!report.known) {
    return unknown(item, source, report.reason, `run ${deployStagingFix(service, staging, undefined)} with this version of safe-deploy`);
  }
  const { live } = report.value;
  const served = strategyOfLive(live).staging.serves(live);
  if (!served.versions.includes(service.version)) {
    return fail(
      item,
      source,
      `staging runs ${service.name} ${served.words}; production asks for ${service.version}`,
      deployStagingFix(service, staging, live),
    );
  }
  const migration = report.value.migration ?? undefined;
  if (service.migrationVersion !== undefined && migration?.version !== service.migrationVersion) {
    const ran = migration === undefined ? "declares no migration" : `last ran the migration for ${migration.version} (${migration.job})`;
    return fail(
      item,
      source,
      `production runs ${service.name}'s migration for ${service.migrationVersion}, but staging ${ran}`,
      `declare services.${service.name}.migration in staging for ${service.migrationVersion}, then ${stagingUp(staging.stack)}`,
    );
  }
  const ranMigration = service.migrationVersion === undefined || migration === undefined ? "" : `, after its migration ${migration.job}`;
  const runs = `staging runs ${service.name} ${served.words}${ranMigration}`;
  switch (staging.lastUpdate?.result) {
    case "succeeded":
      return pass(item, source, `${runs}; its last update succeeded${staging.lastUpdate.endedAt === undefined ? "" : ` at ${staging.lastUpdate.endedAt}`}`);
    case "failed":
      return fail(item, source, `${runs}, but its last update failed`, `find why in pulumi stack history --stack ${staging.stack}, fix it, and ${stagingUp(staging.stack)} until it succeeds`);
    case "in-progress":
      return unknown(item, source, `${runs}, but an update of staging is still running`, `wait for the staging update to finish, then run this one again`);
    case undefined:
      return unknown(item, source, `${runs}, but whether its last update succeeded is not known`, `check pulumi stack history --stack ${staging.stack}`);
  }
}
