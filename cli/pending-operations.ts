// What an interrupted update left pending in the state: the engine records
// an operation before it asks the provider, and clears it when the provider
// answers, so a hard kill leaves the ones in flight.
import type { Stack } from "@pulumi/pulumi/automation";
import { z } from "zod";
import { shortUrn } from "./engine-run";

export interface PendingOperation {
  /** `creating`, `updating`, `deleting`, `reading`... as the engine writes it. */
  readonly type: string;
  readonly urn: string;
}

const exportedSchema = z.looseObject({
  deployment: z.looseObject({
    pending_operations: z.array(z.looseObject({ type: z.string(), resource: z.looseObject({ urn: z.string() }) })).optional(),
  }),
});

export async function readPendingOperations(stack: Stack): Promise<PendingOperation[]> {
  const exported = exportedSchema.parse(await stack.exportStack());
  return (exported.deployment.pending_operations ?? []).map((op) => ({ type: op.type, urn: op.resource.urn }));
}

export function describePending(op: PendingOperation): string {
  return `${op.type} ${shortUrn(op.urn)}`;
}

/**
 * Drops the pending operations from the state (what `pulumi refresh
 * --clear-pending-creates` does for creates, without refreshing the rest, and
 * for every kind): an object whose create was cut is then created again by
 * the next update, which adopts it in place when the provider may upsert; an
 * update or delete that was cut is simply planned again.
 */
export async function clearPendingOperations(stack: Stack): Promise<PendingOperation[]> {
  const state = await stack.exportStack();
  const pending = exportedSchema.parse(state).deployment.pending_operations ?? [];
  if (pending.length === 0) return [];
  const deployment = { ...(state.deployment as Record<string, unknown>) };
  delete deployment["pending_operations"];
  await stack.importStack({ ...state, deployment });
  return pending.map((op) => ({ type: op.type, urn: op.resource.urn }));
}
