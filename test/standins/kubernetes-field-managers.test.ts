// Which managed-fields entries the Kubernetes stand-in hands to its apply
// field manager before an update (pure; the cluster tests show the effect).
import { describe, expect, it } from "vitest";
import type { JsonObject } from "./shared/json";
import { isTakenOver, takeOverPatch } from "./kubernetes/field-managers";

const entry = (manager: string, operation: "Apply" | "Update", fields: JsonObject, subresource?: string): JsonObject => ({
  manager,
  operation,
  apiVersion: "apps/v1",
  fieldsType: "FieldsV1",
  fieldsV1: fields,
  ...(subresource === undefined ? {} : { subresource }),
});

const live = (...entries: JsonObject[]): JsonObject => ({ metadata: { name: "web", managedFields: entries } });

describe("field managers taken over before an apply", () => {
  it.each([
    ["kubectl-patch", "Update"],
    ["kubectl-rollout", "Update"],
    ["kubectl-edit", "Update"],
    ["kubectl-set", "Update"],
    ["kubectl-client-side-apply", "Update"],
    ["kubectl", "Update"],
    ["kubectl", "Apply"],
    ["before-first-apply", "Update"],
    ["pulumi-kubernetes", "Update"],
    ["pulumi-kubernetes-1a2b3c4d", "Update"],
    ["pulumi-kubernetes.exe", "Update"],
    ["pulumi-resource-kubernetes", "Update"],
  ] as const)("takes over %s (%s): its name starts with one of the real provider's", (manager, operation) => {
    expect(isTakenOver(entry(manager, operation, {}))).toBe(true);
  });

  it.each([
    ["kubectl scale (kubectl through the scale subresource)", entry("kubectl", "Update", {}, "scale")],
    ["a controller", entry("kube-controller-manager", "Update", {})],
    ["another tool's apply", entry("helm", "Apply", {})],
    ["a name that only contains kubectl", entry("my-kubectl", "Update", {})],
    ["a pulumi-kubernetes apply (another stack's)", entry("pulumi-kubernetes-1a2b3c4d", "Apply", {})],
  ])("leaves %s alone", (_what, candidate) => {
    expect(isTakenOver(candidate)).toBe(false);
  });

  it("merges the taken-over fields into the apply manager's entry, keeps the others, and changes nothing when none matches", () => {
    const ours = entry("pulumi-kubernetes", "Apply", { "f:spec": { "f:replicas": {} } });
    const undo = entry("kubectl", "Update", { "f:spec": { "f:template": { "f:spec": { "f:containers": {} } } } });
    const scale = entry("kubectl", "Update", { "f:spec": { "f:replicas": {} } }, "scale");

    const patch = takeOverPatch(live(undo, ours, scale), "pulumi-kubernetes");

    expect(patch).toEqual([
      {
        op: "replace",
        path: "/metadata/managedFields",
        value: [scale, { ...ours, fieldsV1: { "f:spec": { "f:replicas": {}, "f:template": { "f:spec": { "f:containers": {} } } } } }],
      },
    ]);
    expect(takeOverPatch(live(ours, scale), "pulumi-kubernetes")).toBeUndefined();
  });

  it("renames the first taken-over entry to the apply manager when it has none yet", () => {
    const created = entry("pulumi-kubernetes", "Update", { "f:spec": { "f:replicas": {} } });
    const patched = entry("kubectl-patch", "Update", { "f:metadata": { "f:labels": {} } });

    const patch = takeOverPatch(live(created, patched), "team-a");

    expect(patch?.[0]?.["value"]).toEqual([
      { ...created, manager: "team-a", operation: "Apply", fieldsV1: { "f:spec": { "f:replicas": {} }, "f:metadata": { "f:labels": {} } } },
    ]);
  });
});
