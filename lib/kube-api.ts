// The Kubernetes API client as the checker and the checklist reach it, every
// call bounded in time.
import type * as ClientNode from "@kubernetes/client-node" with { "resolution-mode": "import" };

// @kubernetes/client-node 2 is ESM only; these CommonJS modules reach it by dynamic import.
export const kubeClient = (): Promise<typeof ClientNode> => import("@kubernetes/client-node");

/**
 * Request options under which each API call takes the signal `signalFor()`
 * returns: client-node's middleware hook is where a request takes an
 * AbortSignal. One shared signal bounds a whole setup; a fresh
 * `AbortSignal.timeout` bounds each call.
 */
export function boundedRequests(k8s: typeof ClientNode, signalFor: () => AbortSignal) {
  return {
    middleware: [
      {
        pre: (context: InstanceType<typeof k8s.RequestContext>) => {
          context.setSignal(signalFor());
          return new k8s.Observable(Promise.resolve(context));
        },
        post: (context: InstanceType<typeof k8s.ResponseContext>) => new k8s.Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: "append" as const,
  };
}
