// Simulated nodes: plain Node objects that kwok manages because of their
// annotation (kwok is started with that annotation selector).
import type { KubeConfig, V1Node } from "./kube-client";
import { kubeClient } from "./kube-client";

export const KWOK_NODE_ANNOTATION = { key: "kwok.x-k8s.io/node", value: "fake" } as const;

export interface NodeCapacity {
  /** @default '32' */
  readonly cpu?: string;
  /** @default '256Gi' */
  readonly memory?: string;
  /** @default '110' */
  readonly pods?: string;
}

/** The Node object for simulated node number `index` (named kwok-node-<index>). */
export function fakeNode(index: number, capacity: NodeCapacity = {}): V1Node {
  const name = `kwok-node-${index}`;
  const resources = {
    cpu: capacity.cpu ?? "32",
    memory: capacity.memory ?? "256Gi",
    pods: capacity.pods ?? "110",
    "ephemeral-storage": "1Ti",
  };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value, "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node-role.kubernetes.io/agent": "",
        type: "kwok",
        // One zone per node, so zone topology spread has something to spread over.
        "topology.kubernetes.io/zone": `zone-${String.fromCharCode(97 + (index % 26))}`,
      },
    },
    // No kwok taint: nothing real can land here anyway, and the program's
    // pods should schedule without kwok-specific tolerations.
    spec: {},
    status: { capacity: resources, allocatable: resources },
  };
}

/** Creates `count` simulated nodes; returns their names. */
export async function registerFakeNodes(kc: KubeConfig, count: number, capacity: NodeCapacity = {}): Promise<string[]> {
  const k8s = await kubeClient();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const nodes = Array.from({ length: count }, (_, i) => fakeNode(i, capacity));
  await Promise.all(nodes.map((body) => core.createNode({ body })));
  return nodes.map((node) => node.metadata?.name ?? "");
}

/**
 * Why the named nodes cannot take pods yet, or undefined when every one is
 * Ready and has lost the not-ready taint it is born with (removed by the
 * node lifecycle controller; the scheduler avoids the node until then).
 */
export async function nodesNotReady(kc: KubeConfig, names: readonly string[]): Promise<string | undefined> {
  const k8s = await kubeClient();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const list = await core.listNode();
  const problems: string[] = [];
  for (const name of names) {
    const node = list.items.find((n) => n.metadata?.name === name);
    if (node === undefined) {
      problems.push(`${name} absent`);
      continue;
    }
    const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status;
    if (ready !== "True") problems.push(`${name} Ready=${ready ?? "unknown"}`);
    const taints = (node.spec?.taints ?? []).map((t) => t.key).filter((key) => key.startsWith("node.kubernetes.io/"));
    if (taints.length > 0) problems.push(`${name} tainted ${taints.join(",")}`);
  }
  return problems.length === 0 ? undefined : problems.join("; ");
}
