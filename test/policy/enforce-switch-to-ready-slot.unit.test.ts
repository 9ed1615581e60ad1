import { describe, expect, it } from "vitest";
import { enforceSwitchToReadySlot } from "../../policy/policies/enforce-switch-to-ready-slot";
import { deployment, edited, service, T } from "./fixtures";
import { judgeStack, type StackInput } from "./support/judge";

const GREEN_URN = "urn:deployment:payment-service-green";
const green = (replicas = 4): StackInput => ({
  type: T.deployment,
  urn: GREEN_URN,
  props: deployment({ service: "payment-service", name: "payment-service-green", variant: "green", version: "v3.2.0", replicas }),
});
const live = (slot = "green", dependencies: readonly string[] = [GREEN_URN]): StackInput => ({
  type: T.service,
  urn: "urn:service:payment-service",
  props: service("payment-service", { app: "payment-service", version: slot }),
  dependencies,
});
const judge = (...inputs: StackInput[]) => judgeStack(enforceSwitchToReadySlot, inputs);

describe("enforce-switch-to-ready-slot", () => {
  it("passes a live Service that waits for the slot it selects", async () => {
    expect(await judge(green(), live())).toEqual({ violations: [], urns: [] });
  });

  it("refuses a selector naming a slot the stack does not deploy", async () => {
    expect(await judge(green(), live("blue"))).toEqual({
      violations: [
        "Service production/payment-service sends traffic to slot blue, but the stack declares no Deployment whose pods it selects: the service would have no endpoints. " +
          "Deploy slot blue first (in safe-deploy: services.payment-service.blueVersion), or point the Service at the slot that runs.",
      ],
      urns: ["urn:service:payment-service"],
    });
  });

  it("refuses switching to a slot scaled to 0", async () => {
    const { violations } = await judge(green(0), live());
    expect(violations).toEqual([
      "Service production/payment-service sends traffic to Deployment production/payment-service-green, which is scaled to 0: the service would have no endpoints. Scale the slot up before switching to it.",
    ]);
  });

  it("refuses a live Service that does not wait for the slot's Deployment", async () => {
    const { violations } = await judge(green(), live("green", []));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("without depending on it, so the switch may happen before its pods are ready");
  });

  it("refuses waiting on a Deployment that skips its readiness await", async () => {
    const skipping = { ...green(), props: edited(green().props, ["metadata", "annotations", "pulumi.com/skipAwait"], "true") };
    const { violations } = await judge(skipping, live());
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain('carries pulumi.com/skipAwait: "true"');
  });

  it("does not take a slot's own Service (payment-service-blue) for the live one", async () => {
    expect((await judge(green(), { type: T.service, props: service("payment-service-blue", { app: "payment-service", version: "blue" }) })).violations).toEqual([]);
  });
});
