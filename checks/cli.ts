// `safe-deploy-check smoke|verify|notify ...`: the checker as an operator (or a Pulumi command
// step) runs it. Exit codes: 0 pass (or message delivered), 1 fail (or not delivered), 64 usage
// or config error. Secrets come from the environment only, and nothing printed carries them.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import type { KubeConfig } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import type { CheckResult, SmokeSpec } from "./check-round";
import { parseCriticalRequests, type CriticalRequest } from "./critical-request";
import { checkEndpoints } from "./endpoint-slices";
import { parseLabels } from "./judge-endpoints";
import { defaultWho } from "./who";
import { buildMessage, NOTIFY_EVENTS, type DeploymentNotice, type NotifyEvent } from "./notify-message";
import { openPortForward, parsePortForward, PortForwardError, type OpenForward } from "./port-forward";
import { postWebhook } from "./post-webhook";
import { redact, redactValues } from "./redact";
import { formatCheck, formatSmoke, formatVerify } from "./report";
import { fillSecrets, secretReferences } from "./secret-references";
import { runSmoke, SMOKE_BACKOFF } from "./smoke";
import { runVerify } from "./verify";
import { readWebhookSecrets, WEBHOOK_TOKEN_ENV, WEBHOOK_URL_ENV, type WebhookSecrets } from "./webhook-secrets";
import { checksSchema } from "../config/checks";
import { commonServiceFields } from "../config/fields";
import { KUBECONFIG_ENV, kubeconfigNamed, loadKubeConfig } from "../lib/kubeconfig";

export const EXIT_PASS = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 64;

/**
 * Each default a step passes explicitly is the stack config's own (config/checks.ts,
 * config/fields.ts), read from there: a check run by hand checks as the step of a service
 * with default settings does.
 */
const STACK_CHECKS = checksSchema.parse({});
const DEFAULT_HEALTH_PATH = commonServiceFields.healthPath.parse(undefined);
const DEFAULT_VERSION_PATH = commonServiceFields.versionPath.parse(undefined);

const CHECK_FLAGS = {
  url: { type: "string" },
  "port-forward": { type: "string" },
  "port-forward-timeout": { type: "string", default: "15" },
  namespace: { type: "string", default: "default" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  "expect-version": { type: "string" },
  "health-path": { type: "string", default: DEFAULT_HEALTH_PATH },
  "version-path": { type: "string", default: DEFAULT_VERSION_PATH },
  requests: { type: "string" },
  timeout: { type: "string", default: String(STACK_CHECKS.smoke.timeoutSeconds) },
} as const;

const SMOKE_FLAGS = { ...CHECK_FLAGS, deadline: { type: "string", default: String(STACK_CHECKS.smoke.deadlineSeconds) } } as const;
const VERIFY_FLAGS = {
  ...CHECK_FLAGS,
  every: { type: "string", default: String(STACK_CHECKS.verify.everySeconds) },
  for: { type: "string", default: String(STACK_CHECKS.verify.forSeconds) },
  "error-budget": { type: "string", default: String(STACK_CHECKS.verify.errorBudget) },
  service: { type: "string" },
  "expect-pods": { type: "string" },
  settle: { type: "string", default: "30" },
} as const;
const NOTIFY_FLAGS = {
  event: { type: "string" },
  service: { type: "string" },
  version: { type: "string" },
  environment: { type: "string" },
  who: { type: "string" },
  "rollback-command": { type: "string" },
  dashboard: { type: "string" },
  "rollback-to": { type: "string" },
  reason: { type: "string" },
  timeout: { type: "string", default: "10" },
} as const;

/** The help; every default it shows is the flag's own. */
export const USAGE = `usage: safe-deploy-check <smoke|verify|notify> [flags]

  smoke   (--url URL | --port-forward svc/NAME[:PORT]) --expect-version V
          [--health-path ${SMOKE_FLAGS["health-path"].default}] [--version-path ${SMOKE_FLAGS["version-path"].default}]
          [--requests FILE.json|-] [--deadline ${SMOKE_FLAGS.deadline.default}] [--timeout ${SMOKE_FLAGS.timeout.default}]
          health 2xx and healthy, version exactly V, each critical request as expected;
          retried with backoff (${SMOKE_BACKOFF.firstDelayMs / 1000} s doubling to ${SMOKE_BACKOFF.maxDelayMs / 1000} s) until it passes or the deadline (s)
  verify  (--url URL | --port-forward svc/NAME[:PORT]) --expect-version V [--every ${VERIFY_FLAGS.every.default}] [--for ${VERIFY_FLAGS.for.default}] [--error-budget ${VERIFY_FLAGS["error-budget"].default}]
          [--health-path ...] [--version-path ...] [--requests FILE.json|-] [--timeout ${VERIFY_FLAGS.timeout.default}]
          [--service NAME --expect-pods version=green [--namespace ${VERIFY_FLAGS.namespace.default}] [--kubeconfig FILE]
          [--context NAME] [--settle ${VERIFY_FLAGS.settle.default}]]
          the same checks once a round, every N s for M s, and with --service that every
          ready endpoint of its EndpointSlices is a pod with those labels (the first round
          waits up to --settle s for the slices to move after a switch); fails once
          more than --error-budget rounds have failed
          (--port-forward: the checker opens it itself through the Kubernetes API, as
          kubectl port-forward does, to a ready pod behind the Service in --namespace (${VERIFY_FLAGS.namespace.default})
          with --kubeconfig FILE (else $${KUBECONFIG_ENV}, a path or the contents, else
          $KUBECONFIG, ~/.kube/config, in-cluster) and its current context or --context NAME,
          read as the Kubernetes provider reads kubernetes:kubeconfig and kubernetes:context;
          PORT is the Service port, optional when it has one; the setup is bound by
          --port-forward-timeout ${VERIFY_FLAGS["port-forward-timeout"].default} s, and a failed setup fails the check, saying what failed)
          (--requests -: read from standard input; \${NAME} in a request's header or string
          body is the value of the environment variable NAME, never printed)
  notify  --event start|success|failure|rollback --service S --version V --environment E
          [--who NAME] [--rollback-command CMD] [--dashboard URL] [--rollback-to V]
          [--reason TEXT] [--timeout ${NOTIFY_FLAGS.timeout.default}]
          webhook from $${WEBHOOK_URL_ENV} or $${WEBHOOK_URL_ENV}_FILE, bearer token from
          $${WEBHOOK_TOKEN_ENV} or $${WEBHOOK_TOKEN_ENV}_FILE (never a flag)

exit codes: 0 pass, 1 fail, 64 usage or config error`;

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

class UsageError extends Error {}

/**
 * node's parseArgs quotes the offending argument in its errors; an argument may be a secret
 * pasted by mistake, so only an option's name is ever repeated.
 */
function parse<T extends ParseArgsOptionsConfig>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw new UsageError("unexpected argument (not shown); every value follows its flag");
    const name = error instanceof Error ? /'(--?[A-Za-z][\w-]*)/.exec(error.message)?.[1] : undefined;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown flag ${name ?? "(not shown)"}`);
    throw new UsageError(`bad flag ${name ?? "(not shown)"}: every flag here takes a value`);
  }
}

function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== "string" || value === "") throw new UsageError(`--${flag} is required`);
  return value;
}

function seconds(value: string | boolean | undefined, flag: string): number {
  const n = Number(value);
  if (typeof value !== "string" || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a number of seconds above 0 (got '${String(value)}')`);
  return n * 1000;
}

function count(value: string | boolean | undefined, flag: string): number {
  const n = Number(value);
  if (typeof value !== "string" || !Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} must be a whole number of rounds, 0 or more (got '${String(value)}')`);
  return n;
}

function httpUrl(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${flag} must be a URL such as http://127.0.0.1:8080 (got '${value}')`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--${flag} must be http or https (got '${url.protocol}')`);
  return value;
}

function readRequests(file: string | undefined): CriticalRequest[] {
  if (file === undefined) return [];
  let text: string;
  try {
    // `-`: standard input, which is how a Pulumi command step hands them over (its `stdin`).
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --requests '${file}': ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return parseCriticalRequests(text, file);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** The requests with each `${NAME}` filled in from the environment, and the values filled in (never printed). */
function withSecrets(requests: readonly CriticalRequest[], env: CliIo["env"]): { requests: CriticalRequest[]; secrets: string[] } {
  const secrets = new Set<string>();
  const fill = (text: string): string => {
    for (const name of secretReferences(text)) secrets.add(env[name] ?? "");
    try {
      return fillSecrets(text, env);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  };
  const filled = requests.map((request) => ({
    ...request,
    headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, fill(value)])),
    ...(typeof request.body === "string" ? { body: fill(request.body) } : {}),
  }));
  return { requests: filled, secrets: [...secrets].filter((value) => value !== "") };
}

/** The check's spec, and an `io` that takes the secrets the requests carry out of every line it prints. */
function checkSpec(values: Record<string, string | boolean | undefined>, io: CliIo, baseUrl: string): { spec: SmokeSpec; io: CliIo } {
  const { requests, secrets } = withSecrets(readRequests(typeof values.requests === "string" ? values.requests : undefined), io.env);
  const scrub = (line: string): string => redactValues(line, secrets);
  return {
    spec: {
      baseUrl,
      expectedVersion: required(values["expect-version"], "expect-version"),
      healthPath: required(values["health-path"], "health-path"),
      versionPath: required(values["version-path"], "version-path"),
      requests,
      requestTimeoutMs: seconds(values.timeout, "timeout"),
    },
    io: { env: io.env, out: (line) => io.out(scrub(line)), err: (line) => io.err(scrub(line)) },
  };
}

/**
 * The kubeconfig of --kubeconfig (else $SAFE_DEPLOY_KUBECONFIG, how a step hands over
 * `kubernetes:kubeconfig`) and --context, read as the Kubernetes provider reads
 * `kubernetes:kubeconfig` and `kubernetes:context` (lib/kubeconfig.ts): without either,
 * client-node's usual places ($KUBECONFIG, a list too, ~/.kube/config, in-cluster).
 */
async function kubeConfigOf(values: Record<string, string | boolean | undefined>, env: CliIo["env"]): Promise<KubeConfig> {
  const flag = typeof values.kubeconfig === "string" && values.kubeconfig !== "" ? values.kubeconfig : undefined;
  const fromEnv = env[KUBECONFIG_ENV] === "" ? undefined : env[KUBECONFIG_ENV];
  const context = typeof values.context === "string" && values.context !== "" ? values.context : undefined;
  const source = flag !== undefined ? ` from ${kubeconfigNamed(flag)}` : fromEnv !== undefined ? ` from $${KUBECONFIG_ENV}` : "";
  try {
    return await loadKubeConfig(flag ?? fromEnv, context);
  } catch (error) {
    throw new UsageError(`cannot load a kubeconfig${source}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The target of smoke or verify: --url as given, or --port-forward opened here (closed by the
 * caller). A port-forward that cannot be set up is a failed check, reported like the others.
 */
async function openTarget(values: Record<string, string | boolean | undefined>, io: CliIo): Promise<{ url: string; forward?: OpenForward } | { failed: string }> {
  const url = typeof values.url === "string" && values.url !== "" ? values.url : undefined;
  const wanted = typeof values["port-forward"] === "string" && values["port-forward"] !== "" ? values["port-forward"] : undefined;
  if (url !== undefined && wanted !== undefined) throw new UsageError("--url and --port-forward are exclusive: give one target");
  if (wanted === undefined) return { url: httpUrl(required(url, "url"), "url") };
  const target = parsePortForward(wanted);
  if (target === undefined) throw new UsageError(`--port-forward must be svc/NAME or svc/NAME:PORT, PORT the Service port (got '${wanted}')`);
  const namespace = required(values.namespace, "namespace");
  const timeoutMs = seconds(values["port-forward-timeout"], "port-forward-timeout");
  const kc = await kubeConfigOf(values, io.env);
  const started = performance.now();
  try {
    const forward = await openPortForward(kc, { namespace, ...target }, timeoutMs);
    io.out(`port-forward: ${forward.url} -> pod ${namespace}/${forward.pod} port ${forward.podPort} (svc/${target.service}) in ${Math.round(performance.now() - started)} ms`);
    return { url: forward.url, forward };
  } catch (error) {
    if (!(error instanceof PortForwardError)) throw error;
    const result: CheckResult = {
      check: "port-forward",
      method: "FORWARD",
      url: `${namespace}/${wanted}`,
      ok: false,
      why: error.message,
      status: undefined,
      bodyStart: "",
      elapsedMs: Math.round(performance.now() - started),
      cutByDeadline: false,
    };
    return { failed: formatCheck(result) };
  }
}

async function smoke(args: readonly string[], callerIo: CliIo): Promise<number> {
  const values = parse(args, SMOKE_FLAGS);
  const deadlineMs = seconds(values.deadline, "deadline");
  const target = await openTarget(values, callerIo);
  if ("failed" in target) {
    callerIo.out(`${target.failed}\nsmoke: FAIL: port-forward`);
    return EXIT_FAIL;
  }
  try {
    return await smokeAt(values, callerIo, target.url, deadlineMs);
  } finally {
    await target.forward?.close();
  }
}

async function smokeAt(values: Record<string, string | boolean | undefined>, callerIo: CliIo, baseUrl: string, deadlineMs: number): Promise<number> {
  const { spec, io } = checkSpec(values, callerIo, baseUrl);
  const outcome = await runSmoke(spec, {
    deadlineMs,
    onFailedAttempt: (attempt, round, retryInMs) => {
      const failed = round.find((result) => !result.ok);
      const next = retryInMs > 0 ? `; retrying in ${retryInMs} ms` : "";
      if (failed !== undefined) io.out(`attempt ${attempt}: ${failed.check}: ${failed.why}${next}`);
    },
  });
  io.out(formatSmoke(outcome, deadlineMs));
  return outcome.ok ? EXIT_PASS : EXIT_FAIL;
}

async function verify(args: readonly string[], callerIo: CliIo): Promise<number> {
  const values = parse(args, VERIFY_FLAGS);
  const target = await openTarget(values, callerIo);
  if ("failed" in target) {
    callerIo.out(`${target.failed}\nverify: FAIL: port-forward`);
    return EXIT_FAIL;
  }
  try {
    return await verifyAt(values, callerIo, target.url);
  } finally {
    await target.forward?.close();
  }
}

async function verifyAt(values: Record<string, string | boolean | undefined>, callerIo: CliIo, baseUrl: string): Promise<number> {
  const { spec, io } = checkSpec(values, callerIo, baseUrl);
  const errorBudget = count(values["error-budget"], "error-budget");
  const extraChecks = await endpointsCheck(values, spec.requestTimeoutMs, io.env);
  const outcome = await runVerify(spec, {
    extraChecks,
    everyMs: seconds(values.every, "every"),
    windowMs: seconds(values.for, "for"),
    errorBudget,
    onRound: (index, round) => {
      const failed = round.find((result) => !result.ok);
      io.out(failed === undefined ? `round ${index}: ok` : `round ${index}: ${formatCheck(failed)}`);
    },
  });
  io.out(formatVerify(outcome, errorBudget));
  return outcome.ok ? EXIT_PASS : EXIT_FAIL;
}

/** With --service, the EndpointSlice check: --expect-pods required, the kubeconfig loaded once. */
async function endpointsCheck(values: Record<string, string | boolean | undefined>, timeoutMs: number, env: CliIo["env"]): Promise<(() => Promise<CheckResult>)[]> {
  const service = typeof values.service === "string" ? values.service : undefined;
  const expected = typeof values["expect-pods"] === "string" ? values["expect-pods"] : undefined;
  if (service === undefined && expected === undefined) return [];
  if (service === undefined) throw new UsageError("--expect-pods needs --service, the live Service whose EndpointSlices are checked");
  const podLabels = parseLabels(required(expected, "expect-pods"));
  if (podLabels === undefined) throw new UsageError(`--expect-pods must be labels such as version=green or app=x,version=green (got '${String(expected)}')`);
  const namespace = required(values.namespace, "namespace");
  const kc = await kubeConfigOf(values, env);
  const settleMs = seconds(values.settle, "settle");
  // Right after a switch the EndpointSlice controller needs a moment to move the slices: the first
  // round waits for them (bounded); once they were right, every later round must find them right.
  let settled = false;
  return [
    async () => {
      const until = performance.now() + (settled ? 0 : settleMs);
      for (;;) {
        const result = await checkEndpoints(kc, { namespace, service, podLabels, timeoutMs });
        if (result.ok) settled = true;
        // The last look is at the deadline itself, so a slow move gets the whole --settle.
        const left = until - performance.now();
        if (result.ok || left <= 0) return result;
        await sleep(Math.min(SETTLE_POLL_MS, left));
      }
    },
  ];
}

const SETTLE_POLL_MS = 250;

async function notify(args: readonly string[], io: CliIo): Promise<number> {
  const values = parse(args, NOTIFY_FLAGS);
  const event = required(values.event, "event");
  if (!(NOTIFY_EVENTS as readonly string[]).includes(event)) throw new UsageError(`--event must be one of ${NOTIFY_EVENTS.join(", ")} (got '${event}')`);
  const optional = (flag: keyof typeof NOTIFY_FLAGS) => (typeof values[flag] === "string" && values[flag] !== "" ? values[flag] : undefined);
  const dashboard = optional("dashboard");
  const notice: DeploymentNotice = {
    event: event as NotifyEvent,
    service: required(values.service, "service"),
    version: required(values.version, "version"),
    environment: required(values.environment, "environment"),
    who: optional("who") ?? defaultWho(io.env),
    ...(optional("rollback-command") === undefined ? {} : { rollbackCommand: optional("rollback-command") }),
    ...(dashboard === undefined ? {} : { dashboardUrl: httpUrl(dashboard, "dashboard") }),
    ...(optional("rollback-to") === undefined ? {} : { rollbackTo: optional("rollback-to") }),
    ...(optional("reason") === undefined ? {} : { reason: optional("reason") }),
  };
  const timeoutMs = seconds(values.timeout, "timeout");
  let secrets: WebhookSecrets;
  try {
    secrets = readWebhookSecrets(io.env);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const message = buildMessage(notice);
  // A secret pasted into a flag by mistake would otherwise go out in the message itself.
  if (redact(message.text, secrets) !== message.text) throw new UsageError("a flag's value contains the webhook URL or token; nothing was sent");
  const outcome = await postWebhook(secrets, message, timeoutMs);
  const said = message.text.split("\n")[0];
  if (outcome.ok) {
    io.out(`notify: sent '${said}' (status ${outcome.status}, ${outcome.elapsedMs} ms)`);
    return EXIT_PASS;
  }
  io.err(`notify: FAIL: '${said}' not delivered: ${outcome.why} (${outcome.elapsedMs} ms)`);
  return EXIT_FAIL;
}

const SUBCOMMANDS: Readonly<Record<string, (args: readonly string[], io: CliIo) => Promise<number>>> = { smoke, verify, notify };

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? EXIT_USAGE : EXIT_PASS;
  }
  const subcommand = SUBCOMMANDS[name];
  if (subcommand === undefined) {
    io.err(`safe-deploy-check: unknown subcommand '${name}'\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await subcommand(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`safe-deploy-check ${name}: ${error.message}\n(see safe-deploy-check --help)`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

/** The process entry: real stdout and stderr, and the exit code. */
export function run(): void {
  const io: CliIo = {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // Not a check failure but a bug: said as such, with the usage code, never a hang.
      process.stderr.write(`safe-deploy-check: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = EXIT_USAGE;
    },
  );
}
