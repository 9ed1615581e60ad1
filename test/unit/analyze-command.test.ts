// The pure parts of `analyze`: when the canary started, from the shape
// `pulumi stack history --json` prints; `--since`; usage errors and exit codes;
// and the report an operator reads.
import { describe, expect, it } from "vitest";
import { EXIT_CODES, EXIT_USAGE, main, parseSince } from "../../analysis/analyze";
import { evidence, formatAnalysis } from "../../analysis/report";
import { canaryStartFromHistory } from "../../analysis/stack-service";
import { analyzeCanary } from "../../analysis/canary-analysis";
import { stackFileConfig } from "../support/stack-files";

/** One history entry as the CLI prints it: the stack file's config with the canary's version and weight set. */
function update(endTime: string, canary: { version?: string; weight: number }, result = "succeeded") {
  const all = stackFileConfig("production");
  const services = JSON.parse(all["safe-deploy:services"] ?? "{}") as Record<string, Record<string, unknown>>;
  const service = services["recommendation-engine"] ?? {};
  if (canary.version === undefined) delete service["canaryVersion"];
  else service["canaryVersion"] = canary.version;
  service["canaryWeight"] = canary.weight;
  all["safe-deploy:services"] = JSON.stringify(services);
  const config = Object.fromEntries(Object.entries(all).map(([key, value]) => [key, { value, secret: false }]));
  return { version: 0, kind: "update", startTime: endTime, endTime, result, config };
}

const at = (iso: string) => Date.parse(iso) / 1000;

describe("when the canary started (pulumi stack history, newest first)", () => {
  it.each([
    ["one update that deployed it", [update("2026-01-01T10:00:00Z", { version: "v4.1.0", weight: 10 })], at("2026-01-01T10:00:00Z")],
    [
      "weight steps keep the canary: the first step counts",
      [update("2026-01-01T10:20:00Z", { version: "v4.1.0", weight: 50 }), update("2026-01-01T10:10:00Z", { version: "v4.1.0", weight: 25 }), update("2026-01-01T10:00:00Z", { version: "v4.1.0", weight: 10 })],
      at("2026-01-01T10:00:00Z"),
    ],
    [
      "an earlier canary version does not count",
      [update("2026-01-01T10:10:00Z", { version: "v4.1.0", weight: 10 }), update("2026-01-01T09:00:00Z", { version: "v4.0.9", weight: 10 })],
      at("2026-01-01T10:10:00Z"),
    ],
    [
      "an abort (weight 0) between two runs starts over",
      [update("2026-01-01T10:30:00Z", { version: "v4.1.0", weight: 10 }), update("2026-01-01T10:20:00Z", { version: "v4.1.0", weight: 0 }), update("2026-01-01T10:00:00Z", { version: "v4.1.0", weight: 10 })],
      at("2026-01-01T10:30:00Z"),
    ],
    [
      "a failed update is skipped",
      [update("2026-01-01T10:20:00Z", { version: "v4.1.0", weight: 25 }, "failed"), update("2026-01-01T10:00:00Z", { version: "v4.1.0", weight: 10 })],
      at("2026-01-01T10:00:00Z"),
    ],
    ["the latest update has no canary", [update("2026-01-01T10:20:00Z", { weight: 0 }), update("2026-01-01T10:00:00Z", { version: "v4.1.0", weight: 10 })], undefined],
    ["no history", [], undefined],
  ])("%s", (_why, history, expected) => {
    expect(canaryStartFromHistory(history, "recommendation-engine", "v4.1.0")).toBe(expected);
  });
});

describe("analyze arguments", () => {
  const now = at("2026-01-01T12:00:00Z");

  it.each([
    ["15m", now - 900],
    ["90s", now - 90],
    ["2h", now - 7200],
    ["2026-01-01T11:30:00Z", at("2026-01-01T11:30:00Z")],
  ])("reads --since %s", (value, expected) => {
    expect(parseSince(value, now)).toBe(expected);
  });

  it("refuses a --since it cannot read", () => {
    expect(() => parseSince("yesterday", now)).toThrow("--since must be a duration such as 15m or a time such as 2026-01-01T10:00:00Z (got 'yesterday')");
  });

  it("maps decisions to exit codes 0, 1, 2", () => {
    expect(EXIT_CODES).toEqual({ pass: 0, fail: 1, inconclusive: 2 });
  });

  it.each([
    [["--stack", "production"], "analyze: --service and --stack are required"],
    [["--service", "x", "--stack", "production", "--verbose"], /^analyze: Unknown option '--verbose'/],
  ])("exits 64 on usage errors (%j)", async (argv, message) => {
    const printed: string[] = [];
    expect(await main(argv, (line) => printed.push(line))).toBe(EXIT_USAGE);
    expect(printed[0]).toMatch(message);
  });
});

describe("analysis report", () => {
  it("puts the decision and its reasons first, then each track and check", () => {
    const result = analyzeCanary({
      windows: [{ end: 10, stable: { requests: 900, errors: 4 }, canary: { requests: 100, errors: 30 } }],
      elapsedSeconds: 10,
      settings: { confidence: 0.95, maxErrorRatio: 1.5, maxSlowRatio: 1.5, latencyQuantile: 0.99, minCanaryRequests: 500, maxDurationSeconds: 1800, checkLatency: false },
    });
    const lines = formatAnalysis("recommendation-engine", "production", result).split("\n");
    expect(lines[0]).toBe("FAIL: canary of recommendation-engine (stack production), after 10 s of 1800 s");
    expect(lines[1]).toMatch(/^  - canary error rate is 67\.5x the stable's/);
    expect(lines[2]).toBe("  stable       900 requests, 4 errors: 0.44% (interval " + `${(100 * result.stable.errorRate.low).toFixed(2)}% .. ${(100 * result.stable.errorRate.high).toFixed(2)}%)`);
    expect(lines[4]).toMatch(/^  errors : canary\/stable 67\.50x, tolerated 1\.5x; evidence worse \S+, within 1\.00 \(decides at 20\): worse$/);
    expect(lines[5]).toBe("  traffic: 100 canary requests of 500 needed (400 missing)");
  });

  it.each([
    [1.234, "1.23"],
    [57.4, "57"],
    [2.5e9, "1e9"],
  ])("writes evidence %f as %s", (value, text) => {
    expect(evidence(value)).toBe(text);
  });
});
