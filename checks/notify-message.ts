// The message a deployment event posts, in the runbook's words ("Starting production deployment
// of payment-service v3.2.0"), as a Slack incoming-webhook payload.

// `step`, `held` and `aborted` are the release automation's (cli/release.ts): a canary step, a canary
// the analysis could not decide in time, a canary the analysis failed.
export const NOTIFY_EVENTS = ["start", "success", "failure", "rollback", "step", "held", "aborted"] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export interface DeploymentNotice {
  readonly event: NotifyEvent;
  readonly service: string;
  readonly version: string;
  readonly environment: string;
  /** Who runs the deployment. */
  readonly who: string;
  /** The one command that takes the service back. @default - not shown */
  readonly rollbackCommand?: string;
  /** @default - not shown */
  readonly dashboardUrl?: string;
  /** For a rollback: the version going back to. @default - not shown */
  readonly rollbackTo?: string;
  /** For a failure: what failed; for a canary held or aborted: the analysis' words. @default - not shown */
  readonly reason?: string;
  /** For a step of a release: what it does. @default - not shown */
  readonly step?: string;
}

/** Slack's incoming-webhook body: `text` is what every Slack-compatible receiver shows. */
export interface WebhookPayload {
  readonly text: string;
}

/** Slack reads `&`, `<` and `>` as markup: escaped, as its docs ask, so a value cannot become a link. */
export const escapeSlack = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function headline(notice: DeploymentNotice): string {
  const what = `${notice.environment} deployment of ${notice.service} ${notice.version}`;
  const What = what.charAt(0).toUpperCase() + what.slice(1);
  switch (notice.event) {
    case "start":
      return `Starting ${what}`;
    case "success":
      return `${What} succeeded`;
    case "failure":
      return `${What} failed`;
    case "rollback":
      return notice.rollbackTo === undefined ? `Rolling back ${what}` : `Rolling back ${what} to ${notice.rollbackTo}`;
    case "step":
      return `${What}: ${notice.step ?? "next step"}`;
    case "held":
      return `${What} is held: the canary analysis could not decide in time`;
    case "aborted":
      return `${What}: canary aborted, traffic back on the stable track`;
  }
}

export function buildMessage(notice: DeploymentNotice): WebhookPayload {
  const lines = [
    escapeSlack(headline(notice)),
    `Service: ${escapeSlack(notice.service)}`,
    `Version: ${escapeSlack(notice.version)}`,
    `Environment: ${escapeSlack(notice.environment)}`,
    `By: ${escapeSlack(notice.who)}`,
  ];
  if (notice.reason !== undefined) lines.push(`Reason: ${escapeSlack(notice.reason)}`);
  if (notice.rollbackCommand !== undefined) lines.push(`Rollback: \`${escapeSlack(notice.rollbackCommand)}\``);
  if (notice.dashboardUrl !== undefined) lines.push(`Dashboard: <${notice.dashboardUrl}|${escapeSlack(notice.service)} dashboard>`);
  return { text: lines.join("\n") };
}
