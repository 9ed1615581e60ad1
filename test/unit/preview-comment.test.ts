// The pull request's comment: the verdict per stack, blocking findings first,
// text that cannot break the Markdown or mention anyone, and a comment over
// GitHub's limit shortened with a pointer to the job summary.
import { describe, expect, it } from "vitest";
import type { EngineRun } from "../../cli/engine-run";
import { COMMENT_LIMIT, COMMENT_MARKER, renderComment, verdict, type StackPreview } from "../../cli/preview-comment";

const run = (over: Partial<EngineRun> = {}): EngineRun => ({
  operation: "preview",
  stack: "production",
  environment: "production",
  outcome: "succeeded",
  changes: { same: 20, update: 2 },
  steps: [
    { op: "update", resource: "kubernetes:apps/v1:Deployment user-api" },
    { op: "update", resource: "kubernetes:core/v1:ConfigMap safe-deploy-record" },
  ],
  policy: [],
  errors: [],
  warnings: [],
  seconds: 3.1,
  ...over,
});

const preview = (over: Partial<StackPreview> = {}): StackPreview => ({
  stack: "production",
  environment: "production",
  run: run(),
  services: [
    {
      name: "user-api",
      strategy: "rolling",
      from: "v2.4.0",
      to: "v2.5.0",
      rollback: { target: "v2.4.0", quick: "kubectl patch deployment user-api -n production ...", pulumi: "pulumi config set-all ... && pulumi up --stack production --yes" },
    },
  ],
  mandatory: new Set(["enforce-canary-steps"]),
  ...over,
});

describe("the preview comment", () => {
  it("says a clean change would go through, with the version change, the resources and the way back", () => {
    const { comment } = renderComment([preview()], { commit: "abc123" });
    expect(comment.startsWith(`${COMMENT_MARKER}\n## safe-deploy preview`)).toBe(true);
    expect(comment).toContain("### ✅ production (production): would go through");
    expect(comment).toContain("| user-api | v2.4.0 → **v2.5.0** | rolling |");
    expect(comment).toContain("Resources: update: 1 Deployment, 1 ConfigMap.");
    expect(comment).toContain("- user-api to v2.4.0: quick `kubectl patch deployment user-api -n production ...`");
  });

  it("flags a finding mandatory in the stack's environment as blocking, before the advisory ones, and the gate's refusal", () => {
    const refused = preview({
      run: run({
        policy: [
          { policy: "configure-pod-disruption-budget", level: "advisory", message: "no budget" },
          { policy: "enforce-canary-steps", level: "advisory", message: "a canary at 40% is past the plan: take 30 first" },
        ],
        warnings: ["`pulumi up` would be refused: staging-first did not pass (fix: release to staging first)"],
      }),
    });
    expect(verdict(refused)).toEqual({ through: false, blocking: ["policy enforce-canary-steps", "production's gate (the checklist)"] });
    const { comment } = renderComment([refused]);
    expect(comment).toContain("### ⛔ production (production): would be refused by policy enforce-canary-steps, production's gate (the checklist)");
    expect(comment.indexOf("enforce-canary-steps** (⛔ blocking: mandatory in production)")).toBeLessThan(comment.indexOf("configure-pod-disruption-budget** (advisory)"));
    expect(comment).toContain("````text\n`pulumi up` would be refused: staging-first did not pass (fix: release to staging first)\n````");
  });

  it("keeps a value from breaking the table or mentioning anyone", () => {
    const { comment } = renderComment([preview({ services: [{ name: "api", strategy: "rolling", from: "v1|@team", to: "<b>v2</b>" }] })]);
    expect(comment).toContain("| api | v1\\|@\u200bteam → **&lt;b&gt;v2&lt;/b&gt;** | rolling |");
  });

  it("shortens a comment over GitHub's limit at a line, points to the job summary, and keeps the whole in the summary", () => {
    const long = preview({ run: run({ warnings: Array.from({ length: 400 }, (_, i) => `warning ${i}: ${"x".repeat(300)}`) }) });
    const { comment, summary } = renderComment([preview(), long], { summaryUrl: "https://github.com/o/r/actions/runs/1" });
    expect(summary.length).toBeGreaterThan(COMMENT_LIMIT);
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(comment).toContain("### ✅ production (production): would go through");
    expect(comment.endsWith("The whole preview is in [the job summary](https://github.com/o/r/actions/runs/1).\n")).toBe(true);
    expect((comment.match(/^````/gm)?.length ?? 0) % 2).toBe(0);
  });
});

describe("the policy findings in the comment", () => {
  it("says what a policy asks once, then what it found on each resource", () => {
    const asks = "Deployments keep a budget. Fix: set one.";
    const { comment } = renderComment([
      preview({
        run: run({
          policy: [
            { policy: "configure-pod-disruption-budget", level: "advisory", message: `${asks}\nDeployment production/user-api has none.` },
            { policy: "configure-pod-disruption-budget", level: "advisory", message: `${asks}\nDeployment production/payment-service-blue has none.` },
          ],
        }),
      }),
    ]);
    expect(comment.split(asks)).toHaveLength(2);
    expect(comment).toContain("  ````text\n  Deployment production/user-api has none.\n  Deployment production/payment-service-blue has none.\n  ````");
  });
});
