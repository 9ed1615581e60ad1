import { describe, expect, it } from "vitest";
import { disallowStandbyRetiredOnSwitch } from "../../policy/policies/disallow-standby-retired-on-switch";
import { deployment, releasedFrom, reportOf, service, stackOutputs, T } from "./fixtures";
import { judgeStack, type StackInput } from "./support/judge";

type Slot = "blue" | "green";

/** payment-service with `live` selected and the other slot at `standbyReplicas`. */
function blueGreen(live: Slot, standbyReplicas: number): StackInput[] {
  const standby: Slot = live === "blue" ? "green" : "blue";
  const versions = { blue: "v3.1.0", green: "v3.2.0" };
  return [
    { type: T.deployment, props: deployment({ service: "payment-service", name: `payment-service-${live}`, variant: live, version: versions[live], replicas: 4 }) },
    { type: T.deployment, props: deployment({ service: "payment-service", name: `payment-service-${standby}`, variant: standby, version: versions[standby], replicas: standbyReplicas }) },
    { type: T.service, props: service(`payment-service-${live}`, { app: "payment-service", version: live }) },
    { type: T.service, props: service("payment-service", { app: "payment-service", version: live }), urn: "urn:service:payment-service" },
  ];
}

/** The record of payment-service's release: before it, `slot` was live. */
const wasLive = (slot: Slot) =>
  releasedFrom({ "payment-service": reportOf("payment-service", { strategy: "blue-green", blueVersion: "v3.1.0", greenVersion: "v3.2.0", liveSlot: slot, replicas: 4 }) });
const judge = (...inputs: StackInput[]) => judgeStack(disallowStandbyRetiredOnSwitch, [stackOutputs({}), ...inputs]);

describe("disallow-standby-retired-on-switch", () => {
  it("passes a switch that keeps the standby's pods", async () => {
    expect((await judge(...blueGreen("green", 4), wasLive("blue"))).violations).toEqual([]);
  });

  it("passes retiring the standby in a later update, once the switch is behind", async () => {
    expect((await judge(...blueGreen("green", 0), wasLive("green"))).violations).toEqual([]);
  });

  it("refuses switching to green and scaling blue to 0 in one update, on the live Service's URN", async () => {
    expect(await judge(...blueGreen("green", 0), wasLive("blue"))).toEqual({
      violations: [
        "Service production/payment-service switches traffic from slot blue to green in this update, and the same update scales Deployment production/payment-service-blue to 0: " +
          "if green misbehaves there are no blue pods to switch back to. " +
          "Switch with the standby kept (in safe-deploy: services.payment-service.retireStandby: false), then retire it in a later update.",
      ],
      urns: ["urn:service:payment-service"],
    });
  });

  it("passes a service deployed for the first time with its standby retired", async () => {
    expect((await judge(...blueGreen("green", 0), releasedFrom({ "payment-service": { live: null } }))).violations).toEqual([]);
  });

  it("says it cannot tell when the stack keeps no record of its last outputs", async () => {
    const judgement = await judge(...blueGreen("green", 0));
    expect(judgement.violations).toEqual([]);
    expect(judgement.notApplicable).toContain("which slot was live before its release is not known");
  });

  it("says it cannot tell from a record written before `from` was kept", async () => {
    expect((await judge(...blueGreen("green", 0), releasedFrom(undefined))).notApplicable).toContain("which slot was live before its release is not known");
  });
});
