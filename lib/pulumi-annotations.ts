// Annotations the Pulumi Kubernetes provider reads on the objects it manages.

/**
 * Take fields back from other field managers on the next update, on
 * Deployments only. Before each apply the provider itself takes over the
 * fields of any `kubectl*` Update manager (`kubectl patch`, `kubectl rollout
 * undo`), so the selector and route patches of a quick rollback need no
 * force. `kubectl scale` is different: it writes `spec.replicas` through the
 * scale subresource, which the provider does not take over, and it is our
 * own quick rollback for a canary and a retired standby; without force the
 * next step that changes those replicas would fail on a conflict. Forcing
 * also overrides an autoscaler's replicas: safe-deploy declares replicas
 * itself and supports no autoscaler on these Deployments, so the stack
 * config stays the one source of how many pods run.
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
