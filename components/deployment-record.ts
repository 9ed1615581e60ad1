// The in-cluster audit trail of the last release: one ConfigMap per stack,
// `safe-deploy-record` in the stack's namespace, holding what was deployed,
// from what, by whom, the rollback commands, and every checklist item with
// its status, reason and source (`kubectl get configmap safe-deploy-record
// -o yaml`). The policy pack's enforce-pre-deployment-checklist judges it.
//
// Its data is built only from the config and the recorded checklist, never
// from a clock: an update that changes no service writes the same data, so
// the ConfigMap is `same` (a data change replaces it, as the Kubernetes
// provider does for ConfigMaps).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { canonicalItems, type RecordedChecklist } from "../checklist/recorded-checklist";
import type { Environment } from "../config/schema";
import { MANAGED_BY, PART_OF } from "../lib/names";
import type { RollbackPlan } from "../lib/rollback";

/** The ConfigMap's name: one record per stack and namespace. */
export const RECORD_NAME = "safe-deploy-record";
/** The data key of the release items; each service's is `service.<name>`. */
export const RELEASE_KEY = "checklist.release";
export const SERVICE_KEY_PREFIX = "service.";

/** One service as the record keeps it. */
export interface ServiceRelease {
  readonly name: string;
  readonly strategy: string;
  readonly version: string;
  readonly previousVersion: string | null;
  readonly rollback: RollbackPlan | null;
}

export interface DeploymentRecordArgs {
  readonly namespace: pulumi.Input<string>;
  readonly stack: string;
  readonly environment: Environment;
  /** The services this stack deploys, in the stack file's order. */
  readonly services: readonly ServiceRelease[];
  readonly checklist: RecordedChecklist;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The ConfigMap's data: plain strings, the structured parts as indented JSON (the pack reads them without a YAML parser). */
export function recordData(args: Omit<DeploymentRecordArgs, "namespace">): Record<string, string> {
  const { release, services } = args.checklist;
  const data: Record<string, string> = {
    stack: args.stack,
    environment: args.environment,
    "release-kind": release.kind,
    commit: release.commit ?? "unknown",
    tag: release.tag ?? "none",
    "deployed-by": release.deployedBy,
    "gathered-at": release.gatheredAt,
    [RELEASE_KEY]: json(canonicalItems(release.items)),
  };
  for (const service of args.services) {
    const recorded = services[service.name];
    data[`${SERVICE_KEY_PREFIX}${service.name}`] = json({
      strategy: service.strategy,
      version: service.version,
      previousVersion: service.previousVersion,
      rollbackOf: recorded?.rollbackOf ?? null,
      // What served before this service's release: the pack's rollout policies compare with it.
      ...(recorded?.from === undefined ? {} : { from: recorded.from }),
      rollback: service.rollback === null ? null : { quick: service.rollback.quick, pulumi: service.rollback.pulumi, verify: service.rollback.verify },
      gatheredAt: recorded?.gatheredAt ?? null,
      checklist: canonicalItems(recorded?.items ?? {}),
    });
  }
  return data;
}

export class DeploymentRecord extends pulumi.ComponentResource {
  public readonly configMap: k8s.core.v1.ConfigMap;
  public readonly configMapName: pulumi.Output<string>;

  constructor(name: string, args: DeploymentRecordArgs, opts?: pulumi.ComponentResourceOptions) {
    super("safe-deploy:k8s:DeploymentRecord", name, {}, opts);
    this.configMap = new k8s.core.v1.ConfigMap(
      `${name}-configmap`,
      {
        metadata: {
          name: RECORD_NAME,
          namespace: args.namespace,
          labels: {
            "app.kubernetes.io/name": RECORD_NAME,
            "app.kubernetes.io/component": "deployment-record",
            "app.kubernetes.io/part-of": PART_OF,
            "app.kubernetes.io/managed-by": MANAGED_BY,
            "safe-deploy.dev/environment": args.environment,
          },
        },
        data: recordData(args),
      },
      // A data change replaces the ConfigMap; its name is fixed, so the old one goes first.
      { parent: this, deleteBeforeReplace: true },
    );
    this.configMapName = this.configMap.metadata.name;
    this.registerOutputs({ configMapName: this.configMapName });
  }
}
