// What the release automation tells the team's webhook (safe-deploy:webhookUrl,
// a Pulumi secret the command reads decrypted, never prints): the start, each
// step, the analysis' decisions that stop a release, success, failure and the
// automatic rollback. A webhook that fails or hangs is reported as a progress
// line, within its bound, and never stops the release: traffic matters first.
import { buildMessage, type DeploymentNotice, type NotifyEvent } from "../checks/notify-message";
import { postWebhook } from "../checks/post-webhook";
import { defaultWho } from "../checks/who";
import type { OpenedStack } from "./open-stack";

/** A webhook call's bound: the runbook's notice is worth a few seconds, never the release. */
const NOTICE_TIMEOUT_MS = 5_000;

export type ReleaseNotify = (event: NotifyEvent, details?: Pick<DeploymentNotice, "step" | "reason" | "rollbackTo" | "rollbackCommand">) => Promise<void>;

export function releaseNotifier(opened: OpenedStack, service: string, version: string, progress: (line: string) => void): ReleaseNotify {
  const url = opened.config["safe-deploy:webhookUrl"];
  if (url === undefined || url === "") return async () => undefined;
  const who = defaultWho(process.env);
  return async (event, details = {}) => {
    const notice: DeploymentNotice = { event, service, version, environment: opened.environment, who, ...details };
    const posted = await postWebhook({ url, token: undefined }, buildMessage(notice), NOTICE_TIMEOUT_MS);
    if (!posted.ok) progress(`${service}: the ${event} notice was not sent (${posted.why})`);
  };
}
