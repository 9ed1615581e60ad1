// Gathers the pre-deployment checklist: every source at once, each under its
// own time bound. A source that fails, refuses or does not answer in time
// makes its items `unknown` with the reason; nothing here ever turns a
// missing answer into `pass`, and nothing waits past the bound.
import { userInfo } from "node:os";
import type { KubeConfig } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { defaultChecklistConfig, type ChecklistConfig } from "../config/checklist";
import { configKeyPath } from "../config/load";
import { RELEASE_ITEMS, SERVICE_ITEMS, type ChecklistItem, type GatheredChecklist, type ItemResult, type ReleaseItem, type ServiceItem } from "./item";
import { errorWords, notConfigured, seconds, unknown } from "./results";
import { ATTESTED_ITEMS, decideAttestation, type AttestedItem } from "./sources/attestations";
import { decideRollbackTarget } from "./sources/rollback-target";
import { decideWindow } from "./sources/window";

/** One service the update changes. */
export interface ChangedService {
  readonly name: string;
  /** The version this update deploys (the new slot's, the canary's, the rolling version). */
  readonly version: string;
  /** The version a rollback returns to. @default - none: rollback-target-known fails */
  readonly rollbackVersion?: string;
  /** The image repository without tag (`registry.example.com/shop/user-api`); the versions are its tags. */
  readonly image: string;
  /** The version whose migration this update runs. @default - no migration */
  readonly migrationVersion?: string;
}

export interface ChecklistRequest {
  /** The namespace the update deploys to: cluster-healthy looks at its pods. */
  readonly namespace: string;
  /** The services the update changes; unchanged services are not gathered. */
  readonly services: readonly ChangedService[];
}

/** What the staging stack says, as the program reads it through a StackReference. */
export interface StagingState {
  /** The staging stack's name, for reasons and the source (`org/project/staging`). */
  readonly stack: string;
  /** Its `services` output (program.ts StackOutputs["services"]), as read: checked here, not trusted. */
  readonly services: unknown;
  /**
   * How staging's last update ended, where the reader can tell (the stack's
   * update history). Stack outputs alone cannot: a failed update still writes
   * the outputs it registered. @default - unknown, so staging-first is `unknown`
   */
  readonly lastUpdate?: { readonly result: "succeeded" | "failed" | "in-progress"; readonly endedAt?: string };
}

export interface GatherOptions {
  /** The clock: the window and the age of attestations are judged at this instant. @default new Date() */
  readonly now?: Date;
  /** The bound on each source, in ms. @default config timeoutSeconds (5 s) */
  readonly boundMs?: number;
  /** The project directory; `git.repoPath` is relative to it. @default process.cwd() */
  readonly projectDir?: string;
  /** The environment: GITHUB_TOKEN, and who runs the update (GITHUB_ACTOR, USER). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads the staging stack's outputs (the program makes the StackReference). @default - none: staging-first is `unknown` "not configured" */
  readonly readStaging?: (signal: AbortSignal) => Promise<StagingState>;
  /** The kubeconfig the provider uses: a path or a loaded KubeConfig. @default - client-node's usual places (KUBECONFIG, ~/.kube/config) */
  readonly kubeconfig?: string | KubeConfig;
  /** Who runs the update. @default GITHUB_ACTOR, else the OS user */
  readonly deployedBy?: string;
}

/** The stack staging-first compares against: as configured, or `<org>/<project>/staging`. */
export function stagingStackName(config: ChecklistConfig | undefined, organization: string, project: string): string {
  return config?.staging?.stack ?? `${organization}/${project}/staging`;
}

/** What a source hands back: results for some of the release items and per service, and facts. */
interface SourceAnswer {
  readonly release?: readonly ItemResult[];
  readonly services?: Readonly<Record<string, readonly ItemResult[]>>;
  readonly commit?: string;
  readonly tag?: string;
}

/** A source with I/O: what it covers (so a failure makes each of those `unknown`) and how it runs. */
interface BoundedSource {
  readonly source: string;
  readonly releaseItems: readonly ReleaseItem[];
  readonly serviceItems: readonly ServiceItem[];
  readonly run: (signal: AbortSignal) => Promise<SourceAnswer>;
}

/** Runs a source under its bound: the answer, or every item it covers `unknown` with why. */
async function runBounded(source: BoundedSource, boundMs: number, services: readonly string[]): Promise<SourceAnswer> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), boundMs);
  });
  try {
    // Raced, not only aborted: a library that ignores the signal still cannot hold the checklist past the bound.
    const answer = await Promise.race([source.run(controller.signal), timedOut]);
    if (answer !== "timeout") return answer;
    controller.abort(new Error(`timed out after ${seconds(boundMs)}`));
    return failedAnswer(source, `timed out after ${seconds(boundMs)}`, services);
  } catch (error) {
    return failedAnswer(source, errorWords(error), services);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

function failedAnswer(source: BoundedSource, reason: string, services: readonly string[]): SourceAnswer {
  const fix = `make ${source.source} answer, or check its settings under ${configKeyPath(["checklist"])}`;
  const result = (item: ChecklistItem) => unknown(item, source.source, reason, fix);
  return {
    release: source.releaseItems.map(result),
    services: Object.fromEntries(services.map((name) => [name, source.serviceItems.map(result)])),
  };
}

function deployedBy(options: GatherOptions, env: Readonly<Record<string, string | undefined>>): string {
  if (options.deployedBy !== undefined) return options.deployedBy;
  if (env["GITHUB_ACTOR"] !== undefined && env["GITHUB_ACTOR"] !== "") return env["GITHUB_ACTOR"];
  try {
    return userInfo().username;
  } catch {
    return env["USER"] ?? "unknown";
  }
}

/** The sources with I/O that this config and these options make available; the rest are `not configured`. */
function boundedSources(_config: ChecklistConfig, _request: ChecklistRequest, _options: GatherOptions): BoundedSource[] {
  return [];
}

/** Items no configured source answers for: `unknown` "not configured", with the key to set. */
function notConfiguredRelease(item: ReleaseItem): ItemResult {
  switch (item) {
    case "tree-clean":
    case "release-tagged":
      return notConfigured(item, configKeyPath(["checklist", "git"]), "pulumi config set --path checklist.git.repoPath .");
    case "ci-passed":
      return notConfigured(item, configKeyPath(["checklist", "github"]), "pulumi config set --path checklist.github.owner <owner> and checklist.github.repo <repo>");
    case "cluster-healthy":
      return notConfigured(item, configKeyPath(["checklist", "cluster"]), "pulumi config set --path checklist.cluster.pendingBoundSeconds 300");
    case "no-active-incident":
      return notConfigured(item, configKeyPath(["checklist", "alertmanager"]), "pulumi config set --path checklist.alertmanager.url https://alertmanager.example.com");
    default:
      return notConfigured(item, configKeyPath(["checklist"]), `configure ${item}`);
  }
}

function notConfiguredService(item: ServiceItem): ItemResult {
  switch (item) {
    case "staging-first":
      return notConfigured(item, configKeyPath(["checklist", "staging"]), "run the production stack with a staging stack to read (checklist.staging.stack, default <org>/<project>/staging)");
    case "artifacts-present":
      return notConfigured(item, configKeyPath(["checklist", "registry"]), "pulumi config set --path checklist.registry.url https://registry.example.com");
    case "monitoring-configured":
      return notConfigured(item, configKeyPath(["checklist", "prometheus"]), "pulumi config set --path checklist.prometheus.url https://prometheus.example.com");
    default:
      return notConfigured(item, configKeyPath(["checklist"]), `configure ${item}`);
  }
}

/**
 * Gathers every item of the checklist for the services the request names.
 * Sources run in parallel, each under `boundMs`, so the whole takes about as
 * long as the slowest source, and never more than the bound (plus a little).
 */
export async function gatherChecklist(config: ChecklistConfig | undefined, request: ChecklistRequest, options: GatherOptions = {}): Promise<GatheredChecklist> {
  const settings = config ?? defaultChecklistConfig();
  const now = options.now ?? new Date();
  const env = options.env ?? process.env;
  const boundMs = options.boundMs ?? settings.timeoutSeconds * 1000;
  const names = request.services.map((s) => s.name);

  const answers = await Promise.all(boundedSources(settings, request, { ...options, env }).map((source) => runBounded(source, boundMs, names)));

  const release = new Map<ReleaseItem, ItemResult>();
  const services = new Map<string, Map<ServiceItem, ItemResult>>(names.map((name) => [name, new Map()]));
  const facts: { commit?: string; tag?: string } = {};
  for (const answer of answers) {
    for (const result of answer.release ?? []) release.set(result.item as ReleaseItem, result);
    for (const [name, results] of Object.entries(answer.services ?? {})) {
      for (const result of results) services.get(name)?.set(result.item as ServiceItem, result);
    }
    if (answer.commit !== undefined) facts.commit = answer.commit;
    if (answer.tag !== undefined) facts.tag = answer.tag;
  }

  // Sources without I/O: the clock and the config.
  release.set("deployment-window", decideWindow(settings.window, settings.override, now, settings.maxAttestationAgeHours));
  for (const [item, { key }] of Object.entries(ATTESTED_ITEMS) as [AttestedItem, (typeof ATTESTED_ITEMS)[AttestedItem]][]) {
    release.set(item, decideAttestation(item, settings.attestations[key], now, settings.maxAttestationAgeHours));
  }
  for (const service of request.services) services.get(service.name)?.set("rollback-target-known", decideRollbackTarget(service));

  return {
    gatheredAt: now.toISOString(),
    facts: { ...facts, deployedBy: deployedBy(options, env) },
    release: RELEASE_ITEMS.map((item) => release.get(item) ?? notConfiguredRelease(item)),
    services: Object.fromEntries(
      request.services.map((service) => [service.name, SERVICE_ITEMS.map((item) => services.get(service.name)?.get(item) ?? notConfiguredService(item))]),
    ),
  };
}
