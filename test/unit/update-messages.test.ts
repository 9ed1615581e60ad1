// The stack history messages of release, promote and abort: each form read
// back as written, and other updates' messages not taken for them.
import { describe, expect, it } from "vitest";
import { formatUpdateMessage, parseUpdateMessage, type UpdateMessage } from "../../lib/update-messages";

const base = { command: "release", service: "recommendation-engine", version: "v4.3.0" } as const;

describe("update messages", () => {
  it.each<[string, UpdateMessage, string]>([
    ["a first step", { ...base, what: "v4.3.0 as the canary at 10% of the traffic" }, "safe-deploy release recommendation-engine v4.3.0: v4.3.0 as the canary at 10% of the traffic"],
    [
      "a step after a pass",
      { ...base, what: "v4.3.0 as the canary at 30% of the traffic", passed: "the canary analysis passed v4.3.0 as the canary at 10% of the traffic after 62 s" },
      "safe-deploy release recommendation-engine v4.3.0: v4.3.0 as the canary at 30% of the traffic; the canary analysis passed v4.3.0 as the canary at 10% of the traffic after 62 s",
    ],
    [
      "an abort by the analysis, its reasons holding '; '",
      { ...base, version: "v4.1.0", what: "the canary analysis failed v4.1.0: errors 5.2% against 0.4%; latency within", takenBack: "aborted", again: "fixed config, same image" },
      "safe-deploy release recommendation-engine v4.1.0: taken back (aborted): the canary analysis failed v4.1.0: errors 5.2% against 0.4%; latency within; released again: fixed config, same image",
    ],
    [
      "an abort by hand",
      { command: "abort", service: "recommendation-engine", version: "v4.2.0", what: "abort the canary v4.2.0: out of traffic, the stable v4.0.3 serves it all", byHand: "too little traffic tonight" },
      "safe-deploy abort recommendation-engine v4.2.0: abort the canary v4.2.0: out of traffic, the stable v4.0.3 serves it all; by hand: too little traffic tonight",
    ],
  ])("writes and reads back %s", (_, message, text) => {
    expect(formatUpdateMessage(message)).toBe(text);
    expect(parseUpdateMessage(text)).toEqual(message);
  });

  it.each([undefined, "", "resume of production after a hard kill", "safe-deploy rollback user-api", "Update from CI"])("reads %j as no message of theirs", (text) => {
    expect(parseUpdateMessage(text)).toBeUndefined();
  });
});
