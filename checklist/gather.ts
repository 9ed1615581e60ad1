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
import { decideNoActiveIncident, readFiringAlerts } from "./sources/alertmanager";
import { decideClusterHealth, kubeConfigOf, readClusterFacts, serverOf } from "./sources/cluster";
import { decideGit, readGitFacts, repositoryPath, type GitFacts } from "./sources/git";
import { ciHttpFailure, decideCi, readCiFacts } from "./sources/github";
import { decideMonitoring, readAlertingRules } from "./sources/prometheus";
import { lookupServiceTags, RegistryClient } from "./sources/registry";
import { decideStagingFirst, type StagingState } from "./sources/staging";
import { decideWindow } from "./sources/window";

export type { StagingState } from "./sources/staging";

/** One service the update changes. */
export interface ChangedService {
  readonly name: string;
  /** The version this update deploys (the new slot's, the canary's, the rolling version). */
  readonly version: string;
  /** The version a rollback returns to. @default - none: rollback-target-known fails, unless `version` served before or nothing did */
  readonly rollbackVersion?: string;
  /** Whether `version` already took traffic before this update (an aborted canary's stable). @default false */
  readonly servedBefore?: boolean;
  /** Whether nothing of the service served before this update: its first deployment. @default false */
  readonly firstDeployment?: boolean;
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
  /** The provider's `kubernetes:context`. @default - the kubeconfig's current context */
  readonly kubeContext?: string;
  /** Who runs the update. @default GITHUB_ACTOR, else the OS user */
  readonly deployedBy?: string;
}

/** The stack staging-first compares against: as configured, or `<org>/<project>/staging`. */
export function stagingStackName(config: ChecklistConfig | undefined, organization: string, project: string): string {
  return config?.staging?.stack ?? `${organization}/${project}/staging`;
}

/**
 * A staging stack configured as this very stack: staging-first would judge
 * the release by itself and always pass. Refused up front, naming the key.
 */
export function stagingStackProblems(config: ChecklistConfig | undefined, organization: string, project: string, stack: string): string[] {
  const configured = config?.staging?.stack;
  const self = `${organization}/${project}/${stack}`;
  if (configured !== self) return [];
  return [`${configKeyPath(["checklist", "staging", "stack"])}: names this stack itself (${self}): staging-first would judge the release by itself; name the staging stack, e.g. ${organization}/${project}/staging`];
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
  /** Where the source is set up, for the fix of an `unknown` (`checklist.alertmanager`). */
  readonly settings: string;
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
  const fix = `make ${source.source} answer within the bound (safe-deploy:checklist.timeoutSeconds), or correct safe-deploy:${source.settings}`;
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
function boundedSources(config: ChecklistConfig, request: ChecklistRequest, options: GatherOptions, env: Readonly<Record<string, string | undefined>>, now: Date): BoundedSource[] {
  const sources: BoundedSource[] = [];
  /** One result per changed service, each from `decide`. */
  const perService = async (decide: (service: ChangedService) => ItemResult | Promise<ItemResult>): Promise<SourceAnswer> => ({
    services: Object.fromEntries(await Promise.all(request.services.map(async (service) => [service.name, [await decide(service)]] as const))),
  });

  // Git runs once; CI waits for its commit.
  let gitFacts: Promise<GitFacts> | undefined;
  if (config.git !== undefined) {
    const repo = repositoryPath(options.projectDir ?? process.cwd(), config.git.repoPath);
    const source = `git ${repo}`;
    const read = (signal: AbortSignal) => (gitFacts ??= readGitFacts(repo, signal));
    sources.push({
      source,
      settings: "checklist.git",
      releaseItems: ["tree-clean", "release-tagged"],
      serviceItems: [],
      run: async (signal) => {
        const facts = await read(signal);
        const decided = decideGit(facts, source);
        return { release: [decided.treeClean, decided.releaseTagged], commit: facts.commit, ...(decided.tag === undefined ? {} : { tag: decided.tag }) };
      },
    });
    if (config.github !== undefined) {
      const github = config.github;
      const token = github.token ?? (env["GITHUB_TOKEN"] === "" ? undefined : env["GITHUB_TOKEN"]);
      const ciSource = `GitHub ${github.baseUrl} (${github.owner}/${github.repo})`;
      sources.push({
        source: ciSource,
        settings: "checklist.github",
        releaseItems: ["ci-passed"],
        serviceItems: [],
        run: async (signal) => {
          const commit = (await read(signal)).commit;
          const facts = await readCiFacts({ ...github, token }, commit, signal);
          if ("httpStatus" in facts) return { release: [{ ...ciHttpFailure(facts.httpStatus, commit, token !== undefined), source: ciSource }] };
          return { release: [decideCi(facts, ciSource)] };
        },
      });
    }
  }

  if (options.readStaging !== undefined) {
    const readStaging = options.readStaging;
    sources.push({
      source: `the staging stack${config.staging?.stack === undefined ? "" : ` ${config.staging.stack}`}`,
      settings: "checklist.staging.stack",
      releaseItems: [],
      serviceItems: ["staging-first"],
      run: async (signal) => {
        const staging: StagingState = await readStaging(signal);
        return perService((service) => decideStagingFirst(service, staging));
      },
    });
  }

  if (config.registry !== undefined) {
    const { url, username, password, token } = config.registry;
    const client = new RegistryClient(url, { username, password, token });
    const source = `registry ${url}`;
    sources.push({
      source,
      settings: "checklist.registry",
      releaseItems: [],
      serviceItems: ["artifacts-present"],
      run: (signal) => perService((service) => lookupServiceTags(client, service, source, signal)),
    });
  }

  if (config.cluster !== undefined) {
    const { pendingBoundSeconds } = config.cluster;
    sources.push({
      source: "the Kubernetes API",
      settings: "checklist.cluster (and the kubeconfig the provider uses)",
      releaseItems: ["cluster-healthy"],
      serviceItems: [],
      run: async (signal) => {
        const kc = await kubeConfigOf(options.kubeconfig, options.kubeContext);
        const facts = await readClusterFacts(kc, request.namespace, signal);
        return { release: [decideClusterHealth(facts, now, pendingBoundSeconds, `Kubernetes API ${serverOf(kc)}`)] };
      },
    });
  }

  if (config.alertmanager !== undefined) {
    const alertmanager = config.alertmanager;
    const source = `Alertmanager ${alertmanager.url}`;
    sources.push({
      source,
      settings: "checklist.alertmanager",
      releaseItems: ["no-active-incident"],
      serviceItems: [],
      run: async (signal) => ({ release: [decideNoActiveIncident(await readFiringAlerts(alertmanager.url, alertmanager.matchers, signal), alertmanager, source)] }),
    });
  }

  if (config.prometheus !== undefined) {
    const prometheus = config.prometheus;
    const source = `Prometheus ${prometheus.url}`;
    sources.push({
      source,
      settings: "checklist.prometheus",
      releaseItems: [],
      serviceItems: ["monitoring-configured"],
      run: async (signal) => {
        const rules = await readAlertingRules(prometheus.url, signal);
        return perService((service) => decideMonitoring(service.name, rules, prometheus.serviceLabel, source));
      },
    });
  }
  return sources;
}

/** Every secret value the sources were given: no result may carry one, whatever an error message said. */
function secretsOf(config: ChecklistConfig, env: Readonly<Record<string, string | undefined>>): string[] {
  return [config.github?.token, env["GITHUB_TOKEN"], config.registry?.password, config.registry?.token].filter((s): s is string => s !== undefined && s.length >= 4);
}

function redacted(result: ItemResult, secrets: readonly string[]): ItemResult {
  const clean = (text: string) => secrets.reduce((out, secret) => out.split(secret).join("[secret]"), text);
  const fixed = { ...result, reason: clean(result.reason), source: clean(result.source) };
  return result.fix === undefined ? fixed : { ...fixed, fix: clean(result.fix) };
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

  const answers = await Promise.all(boundedSources(settings, request, options, env, now).map((source) => runBounded(source, boundMs, names)));

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

  if (settings.github !== undefined && settings.git === undefined) {
    // CI is asked about a commit, and only git says which one is deployed.
    release.set(
      "ci-passed",
      unknown("ci-passed", `config ${configKeyPath(["checklist", "github"])}`, "GitHub is configured but git is not, so no commit is known to ask about", "pulumi config set --path checklist.git.repoPath ."),
    );
  }

  // Sources without I/O: the clock and the config.
  release.set("deployment-window", decideWindow(settings.window, settings.override, now, settings.maxAttestationAgeHours));
  for (const [item, { key }] of Object.entries(ATTESTED_ITEMS) as [AttestedItem, (typeof ATTESTED_ITEMS)[AttestedItem]][]) {
    release.set(item, decideAttestation(item, settings.attestations[key], now, settings.maxAttestationAgeHours));
  }
  for (const service of request.services) services.get(service.name)?.set("rollback-target-known", decideRollbackTarget(service));

  const secrets = secretsOf(settings, env);
  return {
    gatheredAt: now.toISOString(),
    facts: { ...facts, deployedBy: deployedBy(options, env) },
    release: RELEASE_ITEMS.map((item) => redacted(release.get(item) ?? notConfiguredRelease(item), secrets)),
    services: Object.fromEntries(
      request.services.map((service) => [service.name, SERVICE_ITEMS.map((item) => redacted(services.get(service.name)?.get(item) ?? notConfiguredService(item), secrets))]),
    ),
  };
}
