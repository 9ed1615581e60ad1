// A release's timeline from the stack history's messages (as release, promote
// and abort write them; release-canary.test.ts reads real ones back through
// `safe-deploy report`): the verdict and each share's decision.
import { describe, expect, it } from "vitest";
import { formatUpdateMessage, type UpdateMessage } from "../../lib/update-messages";
import { releaseTimeline } from "../../release-report/timeline";

const service = "recommendation-engine";
let clock = Date.parse("2026-12-03T10:00:00Z");

/** The stack history, newest first, as the Automation API lists it; the file backend numbers no update. */
function history(...messages: (Omit<UpdateMessage, "service"> | string)[]) {
  return messages
    .map((message) => {
      const startTime = new Date((clock += 60_000));
      const text = typeof message === "string" ? message : formatUpdateMessage({ service, ...message });
      return { version: 0, kind: "update" as const, result: "succeeded" as const, startTime, endTime: new Date(clock + 10_000), message: text };
    })
    .reverse();
}

const share = (version: string, weight: number, passed?: string) => ({
  command: "release" as const,
  version,
  what: `${version} as the canary at ${weight}% of the traffic`,
  ...(passed === undefined ? {} : { passed }),
});

describe("a release's timeline", () => {
  it("is held when the last share has no decision after it, and reads the passes from the next updates", () => {
    const timeline = releaseTimeline(history(share("v4.2.0", 10), share("v4.2.0", 30, "the canary analysis passed v4.2.0 as the canary at 10% of the traffic after 61 s")), service);
    expect(timeline?.verdict).toBe("held");
    expect(timeline?.steps.map((step) => step.analysis?.decision)).toEqual(["pass", "held"]);
    expect(timeline?.steps.map((step) => step.share)).toEqual([10, 30]);
    expect(timeline?.why).toBe("v4.2.0 as the canary at 30% of the traffic: no decision on record: held for a person, or still being judged");
  });

  it("is aborted by hand, and the latest release only: an earlier version's updates and other updates left out", () => {
    const timeline = releaseTimeline(
      history(
        { command: "release", version: "v4.1.0", what: "promote v4.1.0: the stable track runs it, the canary track goes to 0" },
        "safe-deploy rollback user-api",
        share("v4.2.0", 10),
        { command: "abort", version: "v4.2.0", what: "abort the canary v4.2.0: out of traffic, the stable v4.1.0 serves it all", byHand: "thin traffic" },
      ),
      service,
    );
    expect(timeline?.version).toBe("v4.2.0");
    expect(timeline?.steps.map((step) => [step.by, step.analysis?.decision])).toEqual([["release", "interrupted"], ["abort", undefined]]);
    expect(timeline?.verdict).toBe("aborted");
    expect(timeline?.why).toBe("aborted by hand: abort the canary v4.2.0: out of traffic, the stable v4.1.0 serves it all");
  });

  it("is rolled back when a release's own take-back ends it without a failed analysis", () => {
    const timeline = releaseTimeline(
      history(
        { command: "release", version: "v2.5.0", what: "roll out v2.5.0, keeping v2.4.0 as the rollback target" },
        { command: "release", version: "v2.5.0", what: "roll out v2.5.0, keeping v2.4.0 as the rollback target: user-api-verify failed", takenBack: "rolled-back" },
      ),
      service,
    );
    expect(timeline?.verdict).toBe("rolled back");
    expect(timeline?.steps.map((step) => step.by)).toEqual(["release", "take-back"]);
  });

  it("has nothing to say of a service no release names", () => {
    expect(releaseTimeline(history("safe-deploy rollback user-api"), service)).toBeUndefined();
  });
});

describe("a canary's take-back in the timeline", () => {
  it("is no share, though its reason names the share that failed", () => {
    const timeline = releaseTimeline(
      history(share("v4.4.0", 10), { command: "release", version: "v4.4.0", what: "v4.4.0 as the canary at 10% of the traffic: Deployment recommendation-engine-canary failed", takenBack: "rolled-back" }),
      service,
    );
    expect(timeline?.steps.map((step) => [step.by, step.share])).toEqual([["release", 10], ["take-back", undefined]]);
    expect(timeline?.verdict).toBe("rolled back");
  });
});
