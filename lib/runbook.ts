// The stack's rollback runbook as Markdown, from the same reports the outputs carry.
import { strategyOfLive } from "../strategies/registry";
import type { ServiceReport } from "./service-report";

export interface RunbookContext {
  readonly stack: string;
  readonly environment: string;
  readonly namespace: string;
}

function serviceSection(report: ServiceReport, ctx: RunbookContext): string {
  const lines = [`## ${report.name} (${report.strategy})`, "", `Live: ${strategyOfLive(report.live).describeLive(report.live)}.`];
  if (report.migration !== null) {
    lines.push(`Migration: Job \`${report.migration.job}\` (${report.migration.kind}) ran before ${report.migration.version}.`);
  }
  lines.push("");
  if (report.rollback === null) {
    lines.push(
      "No rollback target in the stack config. Find an earlier update with " +
        `\`pulumi stack history --stack ${ctx.stack}\` and set its versions back with \`pulumi config set --path\`.`,
    );
    return lines.join("\n");
  }
  lines.push(
    `Rollback target: ${report.rollback.target}.`,
    "",
    "1. Quick rollback (the cluster now, the stack config unchanged):",
    "",
    "   ```sh",
    `   ${report.rollback.quick}`,
    "   ```",
    "",
    "2. Pulumi-native rollback (restores the stack config, then applies it; run it after a quick rollback too, so the stack and the cluster agree):",
    "",
    "   ```sh",
    `   ${report.rollback.pulumi}`,
    "   ```",
    "",
    `3. Verify (expect ${report.rollback.expect}):`,
    "",
    "   ```sh",
    `   ${report.rollback.verify}`,
    "   ```",
  );
  return lines.join("\n");
}

export function renderRunbook(reports: readonly ServiceReport[], ctx: RunbookContext): string {
  return [
    `# Rollback runbook: stack ${ctx.stack} (${ctx.environment}, namespace ${ctx.namespace})`,
    "",
    ...reports.map((report) => serviceSection(report, ctx)),
    "",
  ].join("\n\n").replace(/\n{3,}/g, "\n\n");
}
