// The checker's command lines as a Pulumi command step runs them: plain shell lines that also work
// typed by hand in the project's directory (`npx --no-install` finds this project's own
// `safe-deploy-check` bin; Node and npm on PATH, no terminal needed). Secrets never appear here:
// they reach the checker through its environment (and critical requests through stdin, with
// `${NAME}` references only).
import { WEBHOOK_URL_ENV } from "./webhook-secrets";

/** How every step starts the checker. `--no-install`: never fetch a package of that name from a registry. */
export const CHECKER = "npx --no-install safe-deploy-check";

/** A word the shell takes literally, quoted only when it must be. */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_.\/:=@,+%-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

const flags = (pairs: readonly (readonly [string, string | number | undefined])[]): string =>
  pairs
    .filter((pair): pair is readonly [string, string | number] => pair[1] !== undefined)
    .map(([flag, value]) => `--${flag} ${shellWord(String(value))}`)
    .join(" ");

export interface HttpCheckLine {
  readonly url: string;
  readonly expectVersion: string;
  readonly healthPath: string;
  readonly versionPath: string;
  readonly timeoutSeconds: number;
  /** Critical requests come on stdin (`--requests -`). */
  readonly withRequests: boolean;
}

function httpFlags(check: HttpCheckLine): [string, string | number | undefined][] {
  return [
    ["url", check.url],
    ["expect-version", check.expectVersion],
    ["health-path", check.healthPath],
    ["version-path", check.versionPath],
    ["timeout", check.timeoutSeconds],
    ["requests", check.withRequests ? "-" : undefined],
  ];
}

export function smokeLine(check: HttpCheckLine & { readonly deadlineSeconds: number }): string {
  return `${CHECKER} smoke ${flags([...httpFlags(check), ["deadline", check.deadlineSeconds]])}`;
}

export interface VerifyLine extends HttpCheckLine {
  readonly everySeconds: number;
  readonly forSeconds: number;
  readonly errorBudget: number;
  /**
   * The live Service whose EndpointSlices must point only at `expectPods`; `context` is
   * `kubernetes:context` (default: the kubeconfig's current one), while `kubernetes:kubeconfig`
   * goes in the step's environment as KUBECONFIG_ENV, never on this line. @default - not checked
   */
  readonly endpoints?: { readonly service: string; readonly namespace: string; readonly expectPods: Readonly<Record<string, string>>; readonly context?: string };
}

export function verifyLine(check: VerifyLine): string {
  const endpoints = check.endpoints;
  const pods = endpoints === undefined ? undefined : Object.entries(endpoints.expectPods).map(([key, value]) => `${key}=${value}`).join(",");
  return `${CHECKER} verify ${flags([
    ...httpFlags(check),
    ["every", check.everySeconds],
    ["for", check.forSeconds],
    ["error-budget", check.errorBudget],
    ["service", endpoints?.service],
    ["namespace", endpoints?.namespace],
    ["expect-pods", pods],
    ["context", endpoints?.context],
  ])}`;
}

export interface NotifyLine {
  readonly event: "start" | "success" | "failure";
  readonly service: string;
  readonly version: string;
  readonly environment: string;
  readonly rollbackCommand?: string;
  readonly dashboardUrl?: string;
  readonly reason?: string;
}

/**
 * A notice never stops a deployment: a webhook that is down is reported on the step's stderr
 * (the checker says why) and the update goes on.
 */
export function notifyLine(notice: NotifyLine): string {
  return `${notifyCommand(notice)} || true`;
}

function notifyCommand(notice: NotifyLine): string {
  return `${CHECKER} notify ${flags([
    ["event", notice.event],
    ["service", notice.service],
    ["version", notice.version],
    ["environment", notice.environment],
    ["rollback-command", notice.rollbackCommand],
    ["dashboard", notice.dashboardUrl],
    ["reason", notice.reason],
  ])}`;
}

/**
 * A check that tells the team when it fails, then still fails the step (and so the update). The
 * failure notice is part of the same step because Pulumi has no "on failure" hook: the step that
 * failed is the only one that knows.
 */
export function failureNoticed(check: string, notice: Omit<NotifyLine, "event">): string {
  return `${check} || { ${notifyCommand({ ...notice, event: "failure" })}; exit 1; }`;
}

/** The environment variable the webhook's URL reaches the checker through. */
export const WEBHOOK_ENV = WEBHOOK_URL_ENV;

/** The environment variable `kubernetes:kubeconfig` (a path or the contents) reaches the checker through. */
export { KUBECONFIG_ENV } from "../lib/kubeconfig";
