// The Service in front of a set of pods: port 80 to the pods' `http` port.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { SERVICE_PORT } from "../lib/names";
import { SKIP_AWAIT } from "../lib/pulumi-annotations";

export interface HttpServiceArgs {
  readonly namespace: pulumi.Input<string>;
  /** The Service's name. */
  readonly name: string;
  readonly selector: Record<string, string>;
  readonly labels: Record<string, string>;
  /**
   * Whether the selected pods exist. Pulumi waits for a Service's endpoints;
   * a Service in front of a track or slot scaled to 0 would wait forever.
   * @default true
   */
  readonly hasPods?: boolean;
  /**
   * Do not wait for the endpoints to settle: only for a Service whose
   * endpoints a later step proves (the blue-green verify step).
   * @default false
   */
  readonly skipAwait?: boolean;
}

export function newHttpService(resourceName: string, args: HttpServiceArgs, opts: pulumi.CustomResourceOptions): k8s.core.v1.Service {
  // No patchForce: the provider takes the selector back from a quick rollback's `kubectl patch` by itself.
  return new k8s.core.v1.Service(
    resourceName,
    {
      metadata: { name: args.name, namespace: args.namespace, labels: args.labels, ...(args.hasPods === false || args.skipAwait === true ? { annotations: SKIP_AWAIT } : {}) },
      spec: {
        type: "ClusterIP",
        selector: args.selector,
        ports: [{ name: "http", port: SERVICE_PORT, targetPort: "http", protocol: "TCP" }],
      },
    },
    opts,
  );
}
