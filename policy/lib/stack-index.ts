// The stack's Kubernetes objects read once per stack validation: kind, name,
// namespace and pod labels taken out of the SDK's proxies a single time, and
// grouped by namespace, so that policies comparing objects with each other
// stay fast on large stacks (the proxies make every read costly).
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { describe, namespaceOf, podLabels, POD_BEARING, TYPES } from "./kubernetes";
import type { KubeObject } from "./validate";
import { at, str, UNKNOWN, type Unknown } from "./values";

export interface IndexedObject extends KubeObject {
  readonly resource: PolicyResource;
  readonly name: string | Unknown | undefined;
  readonly namespace: string | Unknown | undefined;
  /** The pod template's labels (pod-bearing kinds), else an empty map. */
  readonly podLabels: Map<string, string | Unknown> | Unknown;
}

const INDEXED: readonly string[] = [...POD_BEARING, TYPES.service, TYPES.podDisruptionBudget, TYPES.httpRoute];

export class StackIndex {
  private readonly byNamespace = new Map<string, IndexedObject[]>();
  /** Objects whose namespace preview cannot know: they may be in any namespace. */
  private readonly anywhere: IndexedObject[] = [];
  readonly all: readonly IndexedObject[];

  constructor(args: StackValidationArgs) {
    const all: IndexedObject[] = [];
    for (const resource of args.resources) {
      if (!INDEXED.includes(resource.type)) continue;
      const props: unknown = resource.props;
      const object: IndexedObject = {
        type: resource.type,
        props,
        resource,
        label: describe(resource.type, props, resource.name),
        name: str(at(props, "metadata", "name")),
        namespace: namespaceOf(props),
        podLabels: POD_BEARING.includes(resource.type) ? podLabels(resource.type, props) : new Map(),
      };
      all.push(object);
      if (object.namespace === UNKNOWN) this.anywhere.push(object);
      else {
        const key = object.namespace ?? "default";
        const list = this.byNamespace.get(key) ?? [];
        list.push(object);
        this.byNamespace.set(key, list);
      }
    }
    this.all = all;
  }

  ofTypes(types: readonly string[]): IndexedObject[] {
    return this.all.filter((object) => types.includes(object.type));
  }

  /** Objects of `types` that may share `namespace` (the same, or either not known yet). */
  near(namespace: string | Unknown | undefined, types: readonly string[]): IndexedObject[] {
    const candidates = namespace === UNKNOWN ? this.all : [...(this.byNamespace.get(namespace ?? "default") ?? []), ...this.anywhere];
    return candidates.filter((object) => types.includes(object.type));
  }
}

/** A label of an indexed object's pods, falling back to the object's own labels. */
export function labelOf(object: IndexedObject, key: string): string | Unknown | undefined {
  const fromPods = object.podLabels === UNKNOWN ? UNKNOWN : object.podLabels.get(key);
  return fromPods ?? str(at(object.props, "metadata", "labels", key));
}
