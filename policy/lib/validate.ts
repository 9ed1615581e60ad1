// Small adapters between CrossGuard's callbacks and the pack's policies.
import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { describe } from "./kubernetes";

/** One Kubernetes object under validation. */
export interface KubeObject {
  readonly type: string;
  /** The object's properties, read with `at` (values.ts). */
  readonly props: unknown;
  /** `Deployment production/user-api`: how messages name it. */
  readonly label: string;
}

/**
 * A resource validation for the given Kubernetes type tokens. The pack does
 * not depend on @pulumi/kubernetes (whose classes `validateResourceOfType`
 * wants), so it matches the type tokens the provider registers instead.
 */
export function validateKubernetes(
  types: readonly string[],
  validate: (object: KubeObject, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
  return (args, report) => {
    if (!types.includes(args.type)) return;
    validate({ type: args.type, props: args.props, label: describe(args.type, args.props, args.name) }, args, report);
  };
}

/** A policy's config with the defaults of its schema for what is not set (the engine sends them; tests and older engines may not). */
export function configOf<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
  const given = args.getConfig<Partial<T>>();
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) merged[key] = value;
  return merged as T;
}
