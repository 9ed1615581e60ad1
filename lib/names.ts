// Object names and labels an operator already knows from the runbook. Names are
// explicit (no random suffixes) so every printed kubectl command is exact.

export type SlotName = "blue" | "green";
export type Track = "stable" | "canary";
/** What joins `app` in a selector: a blue-green slot or a canary track; rolling services have none. */
export type Variant = SlotName | Track;

export const PART_OF = "safe-deploy";
/** The label and the environment variable that tell which version a pod runs. */
export const VERSION_LABEL = "app.kubernetes.io/version";
export const VERSION_ENV = "SERVICE_VERSION";
/** The port every Service listens on; it forwards to the pods' `http` port. */
export const SERVICE_PORT = 80;
export const MANAGED_BY = "pulumi";

export const names = {
  /** Deployment of a rolling service, and the Service of every strategy. */
  service: (service: string): string => service,
  slotDeployment: (service: string, slot: SlotName): string => `${service}-${slot}`,
  slotService: (service: string, slot: SlotName): string => `${service}-${slot}`,
  /** The stable track keeps the service's own name, so runbook commands on it still work. */
  trackDeployment: (service: string, track: Track): string => (track === "stable" ? service : `${service}-canary`),
  trackService: (service: string, track: Track): string => `${service}-${track}`,
  migrationJob: (prefix: string, version: string): string => `${prefix}-${version}`,
  podDisruptionBudget: (deployment: string): string => deployment,
  httpRoute: (service: string): string => service,
} as const;

export function otherSlot(slot: SlotName): SlotName {
  return slot === "blue" ? "green" : "blue";
}

/** The recommended `app.kubernetes.io/*` labels; they never select anything. */
export function recommendedLabels(args: {
  readonly service: string;
  /** @default - no version label */
  readonly version?: string;
  readonly environment: string;
  /** @default "server" */
  readonly component?: string;
}): Record<string, string> {
  return {
    "app.kubernetes.io/name": args.service,
    "app.kubernetes.io/instance": `${args.service}-${args.environment}`,
    ...(args.version === undefined ? {} : { [VERSION_LABEL]: args.version }),
    "app.kubernetes.io/component": args.component ?? "server",
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": MANAGED_BY,
  };
}

/** Labels of a serving pod: the runbook's `app` and `version` beside the recommended ones. */
export function podLabels(args: {
  readonly service: string;
  readonly version: string;
  readonly environment: string;
  /** `blue`/`green` for blue-green, `stable`/`canary` for canary; absent for rolling. */
  readonly variant?: Variant;
}): Record<string, string> {
  return { ...selectorLabels(args.service, args.variant), ...recommendedLabels(args) };
}

/**
 * Labels of a Service, an HTTPRoute or a PodDisruptionBudget: like the pods',
 * without the version. Routing and disruption objects are not versioned, so a
 * release leaves them untouched instead of updating them (and waiting for
 * their endpoints again).
 */
export function unversionedLabels(args: { readonly service: string; readonly environment: string; readonly variant?: Variant }): Record<string, string> {
  return { ...selectorLabels(args.service, args.variant), ...recommendedLabels({ service: args.service, environment: args.environment }) };
}

/** Labels that select pods: never the version, which changes while a selector cannot. */
export function selectorLabels(service: string, variant?: Variant): Record<string, string> {
  return variant === undefined ? { app: service } : { app: service, version: variant };
}
