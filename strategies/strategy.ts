// What a rollout strategy is, as one value: everything that differs between
// rolling, blue-green and canary, grouped by strategy instead of by operation
// (as aws-cdk-lib keeps each CodeDeploy deployment configuration a named
// value with its own behaviour). Everything else asks the strategy of a
// service (strategies/registry.ts); a branch on the strategy's name remains
// only where the registry picks the strategy.
import type * as k8s from "@pulumi/kubernetes";
import type { z } from "zod";
import type { CheckTarget } from "../config/checks";
import type { CanaryAnalysisConfig } from "../config/canary-analysis";
import type { Environment } from "../config/fields";
import type { ServiceMigration } from "../components/service-migration";
import type { StrategyArgs } from "../components/strategy-args";
import type { OwnedObject } from "../lib/object-names";
import type { ReleaseVersions } from "../lib/release-versions";
import type { RollbackContext, RollbackPlan } from "../lib/rollback";

/** A problem or a warning about one service's config; `path` is under `services.<name>`. */
export interface ConfigIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** What every strategy's config has: its name (the key under `services`) and its strategy. */
export interface StrategyService {
  readonly name: string;
  readonly strategy: string;
}

/** What every strategy's live state has: the strategy it belongs to. */
export interface StrategyLive {
  readonly strategy: string;
}

/** What declaring a service's objects takes besides its config: what every strategy component takes. */
export type DeclareContext = Omit<StrategyArgs<never>, "spec">;

/** What a strategy declared for a service, as far as the program reads it back. */
export interface DeclaredService {
  /** Every Deployment of the service: their outputs say what it serves (lib/served.ts). */
  readonly deployments: readonly k8s.apps.v1.Deployment[];
  readonly migration: ServiceMigration | undefined;
}

/** The words and the fix staging-first gives about a staged service of this strategy. */
export interface StagingWords<Live> {
  /** The versions staging serves traffic with, and the same in words for a reason. */
  serves(live: Live): { readonly versions: readonly string[]; readonly words: string };
  /** What to do so staging runs `version` of `service`; `up` is staging's `pulumi up` line. */
  fix(service: string, version: string, stack: string, up: string): string;
}

/** One update of a release: the keys it sets (and removes) under `services.<name>`, and what it does, in words. */
export interface ReleaseStep {
  readonly what: string;
  readonly set: Readonly<Record<string, string | number | boolean>>;
  /** @default [] */
  readonly remove?: readonly string[];
  /**
   * After this update, the canary analysis judges what it put into traffic,
   * with these settings, before the next step may start (a canary's shares
   * below 100). @default - no analysis: the next step follows the update
   */
  readonly analysis?: CanaryAnalysisConfig;
}

/** How a release proceeds where the strategy leaves a choice. */
export interface ReleasePlan {
  /** The canary's shares of traffic, in percent, ascending; 100 promotes. */
  readonly canarySteps: readonly number[];
}

/**
 * One rollout strategy. `Spec` is a service's validated config under this
 * strategy, `Live` what the `services` output reports as live for it.
 * Methods, not function properties: the registry holds every strategy as the
 * union of them, which method parameters allow (each is only ever handed its
 * own services: the registry picks it by the service's `strategy`).
 */
export interface Strategy<Spec extends StrategyService, Live extends StrategyLive> {
  readonly name: Spec["strategy"];
  /** The config schema of one service of this strategy: the fields every strategy has, plus its own. */
  readonly schema: z.ZodType;
  /** What the `services` output's `live` holds for this strategy: the stack outputs' contract (lib/stack-outputs.ts). */
  readonly liveSchema: z.ZodType<Live>;

  /** Rules across this strategy's fields that a field's own schema cannot see, and the environment's limits on them. */
  configIssues(service: Spec, environment: Environment): ConfigIssue[];
  /** What the operator should know though the config is valid (logged as warnings). */
  configWarnings(service: Spec): ConfigIssue[];
  /** Every version that has a Deployment, without repeats: a Deployment at 0 pods still counts, so a migration's default does not flip on an abort. */
  versionsDeployed(service: Spec): string[];
  /** The Deployments, Services and routes the service may own under this strategy (now or after a config change of its own). */
  ownedObjects(service: Spec): OwnedObject[];
  /** The Deployments the minimum-replicas rule guards, with their pods: a canary track is exempt, as in the pack. */
  guardedReplicas(service: Spec): { readonly deployment: string; readonly replicas: number }[];

  /** What is live after this update, as the `services` output reports it. */
  live(service: Spec): Live;
  /** The versions a live state says take traffic. */
  liveVersions(live: Live): string[];
  /** The live state in words, for the rollback runbook. */
  describeLive(live: Live): string;
  /** The version that serves once the update is done, and the one a rollback returns to. */
  releaseVersions(service: Spec): ReleaseVersions;
  /** The stack config keys (under `services.<name>`) the Pulumi-native rollback sets, and their values; undefined when there is nothing to go back to. */
  rollbackRestore(service: Spec): Readonly<Record<string, string | number>> | undefined;
  /** The version-by-version rollback plan, its config change from rollbackRestore; undefined when there is nothing to go back to. */
  rollbackPlan(service: Spec, ctx: RollbackContext): RollbackPlan | undefined;

  /** The URL the checks need for this strategy and why; undefined when none is needed now. */
  checkUrlNeeded(service: Spec): { readonly target: CheckTarget; readonly why: string } | undefined;
  /** What verify (or the canary's smoke test) checks now; undefined when nothing new takes traffic. */
  checkTarget(service: Spec): { readonly target: string; readonly version: string } | undefined;
  /** Versions that take traffic after this update (the checks' served history). */
  trafficVersions(service: Spec): string[];

  /**
   * The updates that take the service from what it serves to `version`, in
   * order, each an ordinary update the pack judges (the release automation
   * runs them); none when it serves `version` already.
   */
  releaseSteps(service: Spec, version: string, plan: ReleasePlan): ReleaseStep[];
  /**
   * Why a release of `version` must not start unless the operator says so
   * again, explicitly: a canary of it was taken out of traffic (its analysis
   * failed, or a person aborted or rolled it back). Undefined when it may.
   */
  releaseRefusal(service: Spec, version: string): string | undefined;
  /**
   * The keys a failed release of `version` leaves set on top of the config
   * from before it, once taken back: what a rerun reads (releaseRefusal) so
   * that a version users were taken off is not put back in front of them.
   */
  takenBackKeys(version: string): Readonly<Record<string, string | number | boolean>>;
  /** What `promote` and `abort` do by hand to the canary a release holds at its share; or why there is none. */
  heldCanary(service: Spec): { readonly version: string; readonly promote: ReleaseStep; readonly abort: ReleaseStep } | { readonly nothing: string };
  /**
   * The step that takes down what the last release kept for an instant way
   * back (blue-green's standby slot), once its retention has passed; or why
   * there is nothing to take down.
   */
  retireStep(service: Spec): { readonly step: ReleaseStep } | { readonly nothing: string };

  /** staging-first's words and fixes for a service of this strategy. */
  readonly staging: StagingWords<Live>;

  /** Declares the service's objects through its component; `previous` is what the stack's last update reported live for it. */
  declare(spec: Spec, context: DeclareContext, previous: Live | undefined): DeclaredService;
}
