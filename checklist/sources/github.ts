// ci-passed: the check runs and the combined commit status of the deployed
// commit, from GitHub's REST API (or GitHub Enterprise's, by base URL)
// through @octokit/rest. The token is a Pulumi secret or GITHUB_TOKEN and is
// never part of a result.
import type { ItemResult } from "../item";
import { fail, pass, unknown } from "../results";

/** One check run as the Checks API reports it. */
export interface CheckRun {
  readonly name: string;
  /** queued, in_progress, completed, waiting, requested, pending */
  readonly status: string;
  /** success, failure, neutral, cancelled, skipped, timed_out, action_required, stale, startup_failure; null until completed */
  readonly conclusion: string | null;
}

/** One commit status (the latest per context, as the combined status lists them). */
export interface CommitStatus {
  readonly context: string;
  /** success, pending, failure, error */
  readonly state: string;
}

export interface CiFacts {
  readonly commit: string;
  readonly checkRuns: readonly CheckRun[];
  readonly statuses: readonly CommitStatus[];
}

const PASSED_CONCLUSIONS = new Set(["success", "neutral", "skipped"]);

function listed(names: readonly string[]): string {
  return names.length <= 5 ? names.join(", ") : `${names.slice(0, 5).join(", ")} and ${names.length - 5} more`;
}

export function decideCi(facts: CiFacts, source: string): ItemResult {
  const item = "ci-passed";
  const at = facts.commit.slice(0, 12);
  const failed: string[] = [];
  const pending: string[] = [];
  for (const run of facts.checkRuns) {
    if (run.status !== "completed") pending.push(`${run.name} (${run.status})`);
    else if (!PASSED_CONCLUSIONS.has(run.conclusion ?? "")) failed.push(`${run.name} (${run.conclusion ?? "no conclusion"})`);
  }
  for (const status of facts.statuses) {
    if (status.state === "pending") pending.push(`${status.context} (pending)`);
    else if (status.state !== "success") failed.push(`${status.context} (${status.state})`);
  }
  if (failed.length > 0) {
    return fail(item, source, `CI failed for ${at}: ${listed(failed)}`, `fix what failed and release a commit whose CI passed`);
  }
  if (pending.length > 0) {
    return fail(item, source, `CI has not finished for ${at}: ${listed(pending)}`, `wait for CI to finish on ${at}, then run the update again`);
  }
  const total = facts.checkRuns.length + facts.statuses.length;
  if (total === 0) {
    return fail(item, source, `no CI result for ${at}: no check run and no commit status`, `push ${at} and let CI run on it`);
  }
  return pass(item, source, `CI passed for ${at}: ${facts.checkRuns.length} check run(s) and ${facts.statuses.length} status(es), none failed`);
}

/** Words for an HTTP failure of GitHub's API, and what to do about it. */
export function ciHttpFailure(status: number, commit: string, hasToken: boolean): ItemResult {
  const source = "GitHub";
  const token = hasToken ? "the token (checklist.github.token or GITHUB_TOKEN) is wrong or expired" : "no token was given";
  const setToken = "pulumi config set --secret --path checklist.github.token <token with checks:read and statuses:read>, or set GITHUB_TOKEN";
  switch (status) {
    case 401:
      return unknown("ci-passed", source, `GitHub answered 401 Unauthorized: ${token}`, setToken);
    case 403:
      return unknown("ci-passed", source, `GitHub answered 403 Forbidden: ${hasToken ? "the token may not read checks and statuses, or a rate limit was hit" : "a rate limit was hit, or the repository needs a token"}`, setToken);
    case 404:
      return unknown("ci-passed", source, `GitHub answered 404: no commit ${commit.slice(0, 12)} in the configured repository, or ${hasToken ? "the token cannot see it" : "it is private and no token was given"}`, `push the commit, check checklist.github.owner and .repo, or ${setToken}`);
    case 422:
      return unknown("ci-passed", source, `GitHub answered 422: commit ${commit.slice(0, 12)} is not in the configured repository`, `push the commit, and check checklist.github.owner and .repo`);
    default:
      return unknown("ci-passed", source, `GitHub answered ${status}`, `try again when GitHub answers; its status page says whether it is down`);
  }
}

export interface GithubSettings {
  readonly owner: string;
  readonly repo: string;
  readonly baseUrl: string;
  readonly token: string | undefined;
}

/** The check runs and statuses of a commit; an HTTP failure comes back as its status. */
export async function readCiFacts(settings: GithubSettings, commit: string, signal: AbortSignal): Promise<CiFacts | { readonly httpStatus: number }> {
  const { Octokit } = await import("@octokit/rest");
  const silent = () => {};
  const octokit = new Octokit({
    baseUrl: settings.baseUrl.replace(/\/+$/, ""),
    ...(settings.token === undefined ? {} : { auth: settings.token }),
    userAgent: "safe-deploy-checklist",
    request: { signal },
    log: { debug: silent, info: silent, warn: silent, error: silent },
  });
  const ref = { owner: settings.owner, repo: settings.repo, ref: commit };
  try {
    const [checkRuns, combined] = await Promise.all([
      octokit.paginate(octokit.rest.checks.listForRef, { ...ref, per_page: 100 }),
      octokit.rest.repos.getCombinedStatusForRef({ ...ref, per_page: 100 }),
    ]);
    return {
      commit,
      checkRuns: checkRuns.map((run) => ({ name: run.name, status: run.status, conclusion: run.conclusion })),
      statuses: combined.data.statuses.map((status) => ({ context: status.context, state: status.state })),
    };
  } catch (error) {
    const status = typeof error === "object" && error !== null && "status" in error && typeof error.status === "number" ? error.status : undefined;
    if (status !== undefined && status >= 400) return { httpStatus: status };
    throw error;
  }
}
