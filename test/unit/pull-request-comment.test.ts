// The preview comment published as GitHub's API takes it (a loopback server
// answering as GitHub does): created once, updated on the next push, never
// duplicated, other comments left alone; a fork's pull request writes the
// job summary only; an API that fails or hangs is reported within its bound,
// the token never in the words.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMENT_MARKER } from "../../cli/preview-comment";
import { publishComment, pullRequestFromEnv, writeJobSummary, type PullRequest } from "../../cli/pull-request-comment";
import { startFakeGithub, type FakeGithub } from "../support/fake-github";

const TOKEN = "ghs_e2eFakeToken0123456789";
let github: FakeGithub;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-pr-"));

/** A pull_request event as GitHub writes it to GITHUB_EVENT_PATH (the fields read; GitHub's carries many more). */
function event(number: number, headRepo: string): string {
  const file = path.join(dir, `event-${number}-${headRepo.replace("/", "-")}.json`);
  fs.writeFileSync(file, JSON.stringify({ action: "synchronize", number, pull_request: { number, head: { sha: "0123abc", repo: { full_name: headRepo } }, base: { repo: { full_name: "shop/deploy" } } }, repository: { full_name: "shop/deploy" } }));
  return file;
}

const env = (number: number, headRepo = "shop/deploy", token: string | undefined = TOKEN) => ({
  GITHUB_EVENT_PATH: event(number, headRepo),
  GITHUB_API_URL: github.url,
  GITHUB_REPOSITORY: "shop/deploy",
  ...(token === undefined ? {} : { GITHUB_TOKEN: token }),
});

const pr = (e: Record<string, string | undefined>): PullRequest => {
  const found = pullRequestFromEnv(e);
  if ("none" in found) throw new Error(found.none);
  return found;
};

beforeAll(async () => {
  github = await startFakeGithub("shop", "deploy", TOKEN);
});
afterAll(async () => {
  await github.server.close();
});

describe("the preview comment on a pull request", () => {
  it("is created on the first push and updated on the next, one comment, a reviewer's own left alone", async () => {
    github.comments.set(7, Array.from({ length: 120 }, (_, i) => ({ id: i + 1, body: `looks good ${i}`, user: { login: "ana" } })));
    const first = await publishComment(pr(env(7)), `${COMMENT_MARKER}\nfirst push`, 5_000);
    expect(first).toMatchObject({ done: "created", url: expect.stringContaining("/pull/7#issuecomment-") });
    const second = await publishComment(pr(env(7)), `${COMMENT_MARKER}\nsecond push`, 5_000);
    expect(second).toMatchObject({ done: "updated", id: (first as { id: number }).id });
    const mine = github.comments.get(7)!.filter((c) => c.body.startsWith(COMMENT_MARKER));
    expect(mine.map((c) => c.body)).toEqual([`${COMMENT_MARKER}\nsecond push`]);
    expect(github.comments.get(7)).toHaveLength(121);
  });

  it("writes only the job summary for a fork's pull request, and that is no failure", async () => {
    const forked = pr(env(8, "someone/deploy", undefined));
    expect(forked.fromFork).toBe(true);
    expect(await publishComment(forked, `${COMMENT_MARKER}\nx`, 5_000)).toEqual({ done: "skipped", why: expect.stringContaining("a pull request from a fork") });
    const summary = path.join(dir, "summary.md");
    expect(writeJobSummary({ GITHUB_STEP_SUMMARY: summary }, "## safe-deploy preview")).toBe(true);
    expect(fs.readFileSync(summary, "utf8")).toBe("## safe-deploy preview\n");
    expect(github.comments.get(8)).toBeUndefined();
  });

  it("reports an API that fails, and one that hangs within its bound, never with the token", async () => {
    github.mode = "fail";
    try {
      const failed = await publishComment(pr(env(9)), "x", 5_000);
      expect(failed).toEqual({ done: "failed", why: expect.stringMatching(new RegExp(`^GitHub's API at ${github.url.replace(/\./g, "\\.")} answered 502: `)) });
      github.mode = "hang";
      const started = Date.now();
      const hung = await publishComment(pr(env(9)), "x", 1_000);
      expect(hung).toEqual({ done: "failed", why: `GitHub's API at ${github.url} did not answer within 1 s` });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      github.mode = "github";
    }
    const refused = await publishComment(pr(env(9, "shop/deploy", "ghs_wrong")), "x", 5_000);
    expect(refused.done).toBe("failed");
    expect(JSON.stringify(refused)).not.toContain("ghs_wrong");
  });

  it("says why there is no pull request outside one", () => {
    expect(pullRequestFromEnv({})).toEqual({ none: "GITHUB_EVENT_PATH is not set: not a GitHub Actions run" });
    const push = path.join(dir, "push.json");
    fs.writeFileSync(push, JSON.stringify({ ref: "refs/heads/main", repository: { full_name: "shop/deploy" } }));
    expect(pullRequestFromEnv({ GITHUB_EVENT_PATH: push })).toEqual({ none: `the event in ${push} is not a pull request's` });
  });
});
