// Annotations the Pulumi Kubernetes provider reads on the objects it manages.

/**
 * Take fields back on the next update. A quick rollback (`kubectl rollout
 * undo`, `kubectl patch`, `kubectl scale`) makes kubectl the owner of the
 * fields it changed; without force, the Pulumi-native rollback that follows
 * would fail on a server-side apply conflict instead of bringing the stack
 * and the cluster back in line.
 */
export const PATCH_FORCE = { "pulumi.com/patchForce": "true" } as const;

/**
 * How long the provider waits for a Deployment to be ready. The provider
 * does not fail at the progress deadline by itself (it waits 10 minutes);
 * a stalled rollout should fail the update soon after Kubernetes gives up.
 */
export function awaitTimeout(progressDeadlineSeconds: number): Record<string, string> {
  return { "pulumi.com/timeoutSeconds": String(progressDeadlineSeconds + 60) };
}

/** Do not wait for readiness: for a Service in front of pods scaled to 0, which never gets endpoints. */
export const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" } as const;
