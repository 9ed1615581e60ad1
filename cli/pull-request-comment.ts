// Where the preview comment goes on GitHub Actions: the pull request read from
// the environment GitHub sets (GITHUB_EVENT_PATH's pull_request event,
// GITHUB_API_URL, GITHUB_TOKEN, GITHUB_STEP_SUMMARY); the whole preview
// appended to the job summary; one comment per pull request, found again by
// its hidden marker and updated, never a second one. A pull request from a
// fork gets no token with write access: the summary alone, and that is no
// failure. The API is bounded in time; a failure or a hang is reported in a
// line (the token never in it), never a job left waiting.
import * as fs from "node:fs";
import { COMMENT_MARKER } from "./preview-comment";

export interface PullRequest {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  readonly baseUrl: string;
  /** Absent on a fork's pull request (GitHub hands it no write token) or outside Actions. */
  readonly token: string | undefined;
  readonly fromFork: boolean;
  /** The commit the preview judged. */
  readonly head: string;
}

type Env = Readonly<Record<string, string | undefined>>;

interface PullRequestEvent {
  readonly pull_request?: { readonly number?: number; readonly head?: { readonly sha?: string; readonly repo?: { readonly full_name?: string } | null } };
  readonly repository?: { readonly full_name?: string };
}

/** The pull request of the workflow run, or why there is none (not a pull_request event, no event file). */
export function pullRequestFromEnv(env: Env): PullRequest | { readonly none: string } {
  const eventPath = env["GITHUB_EVENT_PATH"];
  if (eventPath === undefined || eventPath === "") return { none: "GITHUB_EVENT_PATH is not set: not a GitHub Actions run" };
  let event: PullRequestEvent;
  try {
    event = JSON.parse(fs.readFileSync(eventPath, "utf8")) as PullRequestEvent;
  } catch (error) {
    return { none: `GITHUB_EVENT_PATH ${eventPath} does not read as JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const number = event.pull_request?.number;
  const full = event.repository?.full_name ?? env["GITHUB_REPOSITORY"];
  if (number === undefined || full === undefined || !full.includes("/")) return { none: `the event in ${eventPath} is not a pull request's` };
  const [owner = "", repo = ""] = full.split("/");
  const headRepo = event.pull_request?.head?.repo?.full_name;
  const token = env["GITHUB_TOKEN"] === undefined || env["GITHUB_TOKEN"] === "" ? undefined : env["GITHUB_TOKEN"];
  return {
    owner,
    repo,
    number,
    baseUrl: (env["GITHUB_API_URL"] ?? "https://api.github.com").replace(/\/+$/, ""),
    token,
    fromFork: headRepo !== undefined && headRepo !== full,
    head: event.pull_request?.head?.sha ?? env["GITHUB_SHA"] ?? "unknown",
  };
}

/** Appends the whole preview to the job summary, when the run has one. */
export function writeJobSummary(env: Env, markdown: string): boolean {
  const file = env["GITHUB_STEP_SUMMARY"];
  if (file === undefined || file === "") return false;
  fs.appendFileSync(file, `${markdown}\n`);
  return true;
}

export type Published =
  | { readonly done: "created" | "updated"; readonly id: number; readonly url: string }
  | { readonly done: "skipped"; readonly why: string }
  | { readonly done: "failed"; readonly why: string };

/** Creates the pull request's comment, or updates the one that carries the marker; within `timeoutMs` altogether. */
export async function publishComment(pr: PullRequest, body: string, timeoutMs: number): Promise<Published> {
  if (pr.fromFork) return { done: "skipped", why: "a pull request from a fork: GitHub gives its workflow no token that may comment; the job summary has the preview" };
  if (pr.token === undefined) return { done: "skipped", why: "no GITHUB_TOKEN: the job summary has the preview" };
  const token = pr.token;
  const { Octokit } = await import("@octokit/rest");
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const silent = () => {};
  const octokit = new Octokit({
    baseUrl: pr.baseUrl,
    auth: token,
    userAgent: "safe-deploy-preview",
    request: { signal: abort.signal, retries: 0 },
    log: { debug: silent, info: silent, warn: silent, error: silent },
  });
  const where = { owner: pr.owner, repo: pr.repo, issue_number: pr.number };
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...where, per_page: 100 });
    const mine = comments.find((comment) => comment.body?.startsWith(COMMENT_MARKER) === true);
    if (mine !== undefined) {
      const updated = await octokit.rest.issues.updateComment({ owner: pr.owner, repo: pr.repo, comment_id: mine.id, body });
      return { done: "updated", id: updated.data.id, url: updated.data.html_url };
    }
    const created = await octokit.rest.issues.createComment({ ...where, body });
    return { done: "created", id: created.data.id, url: created.data.html_url };
  } catch (error) {
    const why = abort.signal.aborted
      ? `GitHub's API at ${pr.baseUrl} did not answer within ${timeoutMs / 1000} s`
      : `GitHub's API at ${pr.baseUrl} answered ${statusOf(error) ?? "with an error"}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
    return { done: "failed", why: why.split(token).join("[secret]") };
  } finally {
    clearTimeout(timer);
  }
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error && typeof error.status === "number" ? error.status : undefined;
}
