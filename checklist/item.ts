// The pre-deployment checklist's vocabulary: which items there are, what a
// gathered item says, and what the whole gathered checklist holds. The
// gatherers (one module per source, under checklist/sources/) produce these;
// the program records them on the DeploymentRecord and in the stack outputs,
// and the policy pack judges them. `unknown` never counts as done.

/** Items about the release as a whole: gathered once per update. */
export const RELEASE_ITEMS = [
  "tree-clean",
  "release-tagged",
  "ci-passed",
  "cluster-healthy",
  "no-active-incident",
  "deployment-window",
  "on-call-named",
  "change-communicated",
  "feature-flags-reviewed",
] as const;

/** Items about one service the update changes: gathered for each such service. */
export const SERVICE_ITEMS = ["staging-first", "artifacts-present", "monitoring-configured", "rollback-target-known"] as const;

export type ReleaseItem = (typeof RELEASE_ITEMS)[number];
export type ServiceItem = (typeof SERVICE_ITEMS)[number];
export type ChecklistItem = ReleaseItem | ServiceItem;

/** `pass`: the fact was gathered and holds. `fail`: gathered and does not hold. `unknown`: not gathered (not configured, timed out, refused). */
export type ItemStatus = "pass" | "fail" | "unknown";

export interface ItemResult {
  readonly item: ChecklistItem;
  readonly status: ItemStatus;
  /** What was seen, in words an operator can act on ("staging runs v3.1.0, production asks for v3.2.0"; "not configured"; "timed out after 5 s"). */
  readonly reason: string;
  /** Where the fact came from: "git /srv/app", "GitHub https://api.github.com", "config safe-deploy:checklist.window", ... Never a credential. */
  readonly source: string;
  /** How to clear a `fail` or `unknown`: a command or the config key to set. @default - none (pass) */
  readonly fix?: string;
}

/** Facts about the release that the record keeps besides the items. */
export interface ReleaseFacts {
  /** The commit deployed (full SHA). @default - unknown (no git source) */
  readonly commit?: string;
  /** The annotated tag at that commit. @default - none */
  readonly tag?: string;
  /** Who ran the update (the OS user, or the CI actor). */
  readonly deployedBy: string;
}

/** One update's gathered checklist. */
export interface GatheredChecklist {
  /** When the facts were gathered (ISO 8601, UTC). */
  readonly gatheredAt: string;
  readonly facts: ReleaseFacts;
  /** One result per release item, in RELEASE_ITEMS order. */
  readonly release: readonly ItemResult[];
  /** Per service the update changes, one result per service item, in SERVICE_ITEMS order. */
  readonly services: Readonly<Record<string, readonly ItemResult[]>>;
}
