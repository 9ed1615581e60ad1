// What the pack knows about Kubernetes objects as Pulumi's Kubernetes provider
// registers them: type tokens, where each kind keeps its pod template, and the
// labels safe-deploy (and the Kubernetes recommendations) put on them. The
// pack reads objects, never the program: these are the documented labels
// and shapes the two agree on through the engine.
import { at, items, str, stringMap, UNKNOWN, type Unknown } from "./values";

export const TYPES = {
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  replicaSet: "kubernetes:apps/v1:ReplicaSet",
  job: "kubernetes:batch/v1:Job",
  cronJob: "kubernetes:batch/v1:CronJob",
  pod: "kubernetes:core/v1:Pod",
  service: "kubernetes:core/v1:Service",
  podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
  httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  configMap: "kubernetes:core/v1:ConfigMap",
  stack: "pulumi:pulumi:Stack",
} as const;

/** Where each pod-bearing kind keeps its pod template (metadata + spec); a Pod is its own template. */
const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  [TYPES.deployment]: ["spec", "template"],
  [TYPES.statefulSet]: ["spec", "template"],
  [TYPES.daemonSet]: ["spec", "template"],
  [TYPES.replicaSet]: ["spec", "template"],
  [TYPES.job]: ["spec", "template"],
  [TYPES.cronJob]: ["spec", "jobTemplate", "spec", "template"],
  [TYPES.pod]: [],
};

/** Kinds whose pods run until replaced: their containers serve, so they need probes. */
export const SERVING_WORKLOADS: readonly string[] = [TYPES.deployment, TYPES.statefulSet, TYPES.daemonSet, TYPES.replicaSet, TYPES.pod];
/** Every kind that carries a pod template. */
export const POD_BEARING: readonly string[] = Object.keys(POD_TEMPLATE_PATHS);
/** Kinds with a `spec.replicas`. */
export const REPLICATED: readonly string[] = [TYPES.deployment, TYPES.statefulSet, TYPES.replicaSet];

export const LABELS = {
  /** The runbook's service label: what Services, PDBs and operators select on. */
  app: "app",
  /** The blue-green slot (`blue`/`green`) or canary track (`stable`/`canary`) beside `app`. */
  variant: "version",
  name: "app.kubernetes.io/name",
  version: "app.kubernetes.io/version",
  migrationKind: "safe-deploy.dev/migration-kind",
} as const;

export const ANNOTATIONS = {
  /** The Pulumi Kubernetes provider does not wait for the object to be ready. */
  skipAwait: "pulumi.com/skipAwait",
} as const;

/** The pod template of a pod-bearing object, UNKNOWN during preview, or undefined for other kinds. */
export function podTemplate(type: string, props: unknown): unknown {
  const path = POD_TEMPLATE_PATHS[type];
  return path === undefined ? undefined : at(props, ...path);
}

export interface ContainerRef {
  /** `containers` or `initContainers`. */
  readonly list: "containers" | "initContainers";
  readonly index: number;
  /** The container's name, or a placeholder when preview cannot know it. */
  readonly name: string;
  /** The container object (read with `at`). */
  readonly container: unknown;
}

/** The containers of a pod template (and, with `init`, its init containers); UNKNOWN when the list is. */
export function containers(template: unknown, options: { readonly init?: boolean } = {}): ContainerRef[] | Unknown {
  const lists: ("containers" | "initContainers")[] = options.init === true ? ["initContainers", "containers"] : ["containers"];
  const result: ContainerRef[] = [];
  for (const list of lists) {
    const found = items(at(template, "spec", list));
    if (found === UNKNOWN) return UNKNOWN;
    found.forEach((container, index) => {
      const name = str(at(container, "name"));
      result.push({ list, index, container, name: typeof name === "string" ? name : `${list}[${index}]` });
    });
  }
  return result;
}

/** A label of the object's pod template, falling back to the object's own labels. */
export function podLabel(type: string, props: unknown, key: string): string | Unknown | undefined {
  const template = podTemplate(type, props);
  const fromTemplate = template === undefined ? undefined : str(at(template, "metadata", "labels", key));
  return fromTemplate ?? str(at(props, "metadata", "labels", key));
}

/** The pod template's labels (UNKNOWN when preview cannot know them). */
export function podLabels(type: string, props: unknown): Map<string, string | Unknown> | Unknown {
  return stringMap(at(podTemplate(type, props), "metadata", "labels"));
}

/** `spec.replicas`, with Kubernetes' default of 1 when absent. */
export function replicas(props: unknown): number | Unknown {
  const value = at(props, "spec", "replicas");
  if (value === UNKNOWN) return UNKNOWN;
  return typeof value === "number" ? value : 1;
}

export function namespaceOf(props: unknown): string | Unknown | undefined {
  return str(at(props, "metadata", "namespace"));
}

const KINDS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(TYPES).map((type) => [type, type.slice(type.lastIndexOf(":") + 1)]),
);

/** `Deployment production/user-api`, for messages: the kind and what `kubectl get` would call it. */
export function describe(type: string, props: unknown, fallbackName: string): string {
  const kind = KINDS[type] ?? type;
  const name = str(at(props, "metadata", "name"));
  const namespace = namespaceOf(props);
  const shown = typeof name === "string" ? name : fallbackName;
  return typeof namespace === "string" ? `${kind} ${namespace}/${shown}` : `${kind} ${shown}`;
}
