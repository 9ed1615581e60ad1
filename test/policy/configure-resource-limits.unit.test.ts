import { describe, expect, it } from "vitest";
import { quantityValue } from "../../policy/lib/quantity";
import { configureResourceLimits } from "../../policy/policies/configure-resource-limits";
import { deployment, edited, migrationJob, REMOVE, T } from "./fixtures";
import { judgeResource } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const RESOURCES = ["spec", "template", "spec", "containers", 0, "resources"] as const;
const judge = (props: Record<string, unknown>, type: string = T.deployment) => judgeResource(configureResourceLimits, { type, props });

describe("configure-resource-limits", () => {
  it.each([
    ["250m", 0.25],
    ["1", 1],
    [1.5, 1.5],
    ["256Mi", 256 * 2 ** 20],
    ["1Gi", 2 ** 30],
    ["1e3", 1000],
    ["2k", 2000],
    ["lots", undefined],
  ])("reads the quantity %s", (quantity, value) => {
    expect(quantityValue(quantity)).toBe(value);
  });

  it("passes a Deployment with requests and limits", async () => {
    expect(await judge(deployment())).toEqual({ violations: [] });
  });

  it("passes a migration Job with requests and limits", async () => {
    expect(await judge(migrationJob(), T.job)).toEqual({ violations: [] });
  });

  it("refuses a container without limits, naming each missing one", async () => {
    const { violations } = await judge(edited(deployment(), [...RESOURCES, "limits"], REMOVE));
    expect(violations).toEqual([
      "Deployment production/user-api, container 'user-api': no resources.limits.cpu, resources.limits.memory; without requests the scheduler overcommits nodes, without limits one pod can starve the others. " +
        "Set requests and limits for cpu and memory.",
    ]);
  });

  it("refuses a container without a memory request", async () => {
    const { violations } = await judge(edited(deployment(), [...RESOURCES, "requests", "memory"], REMOVE));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("no resources.requests.memory;");
  });

  it("refuses a request above its limit, comparing quantities across units", async () => {
    const { violations } = await judge(edited(deployment(), [...RESOURCES, "requests", "memory"], "1Gi"));
    expect(violations).toEqual([
      "Deployment production/user-api, container 'user-api': memory request 1Gi is above its limit 256Mi; the API server refuses such a pod. Lower the request or raise the limit.",
    ]);
  });

  it("accepts a CPU request equal to its limit written differently (1 and 1000m)", async () => {
    const equal = edited(edited(deployment(), [...RESOURCES, "requests", "cpu"], "1000m"), [...RESOURCES, "limits", "cpu"], 1);
    expect(await judge(equal)).toEqual({ violations: [] });
  });

  it("refuses a value that is not a quantity", async () => {
    const { violations } = await judge(edited(deployment(), [...RESOURCES, "limits", "cpu"], "a lot"));
    expect(violations).toEqual(["Deployment production/user-api, container 'user-api': cpu limit 'a lot' is not a Kubernetes quantity (e.g. 250m, 1, 256Mi)."]);
  });

  it("tolerates a limit preview cannot know yet", async () => {
    expect(await judge(edited(deployment(), [...RESOURCES, "limits", "memory"], UNKNOWN_ON_THE_WIRE))).toEqual({ violations: [] });
  });
});
