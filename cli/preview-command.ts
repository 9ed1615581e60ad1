// `safe-deploy preview --stack S [--stack T] --comment`: each stack's preview
// judged with the pull-request config, as one Markdown comment printed on
// stdout, appended to the job summary on GitHub Actions and, on a pull
// request with a token, posted (or updated) as the pull request's comment.
// The previews decide the exit code (a preview that fails or a stack config
// the program refuses fails the job); the comment's delivery does not (a
// fork's pull request has no token; an API that fails is reported).
import { exitCodeOf } from "./engine-run";
import { EXIT, type ExitCode } from "./exit-codes";
import { openStack } from "./open-stack";
import { renderComment, type StackPreview } from "./preview-comment";
import { publishComment, pullRequestFromEnv, writeJobSummary } from "./pull-request-comment";
import { previewForComment } from "./stack-preview";

/** GitHub's API is worth this long at most, whatever the previews took. */
const API_TIMEOUT_MS = 30_000;

export async function commentOnPullRequest(stacks: readonly string[], options: { readonly timeoutMs: number; readonly json: boolean }): Promise<ExitCode> {
  const started = Date.now();
  const previews: StackPreview[] = [];
  for (const name of stacks) {
    previews.push(await previewForComment(await openStack(name, { create: true }), { timeoutMs: Math.max(1, options.timeoutMs - (Date.now() - started)) }));
  }
  const env = process.env;
  const server = env["GITHUB_SERVER_URL"];
  const runUrl = server !== undefined && env["GITHUB_REPOSITORY"] !== undefined && env["GITHUB_RUN_ID"] !== undefined ? `${server}/${env["GITHUB_REPOSITORY"]}/actions/runs/${env["GITHUB_RUN_ID"]}` : undefined;
  const pr = pullRequestFromEnv(env);
  const { comment, summary } = renderComment(previews, { ...(runUrl === undefined ? {} : { summaryUrl: runUrl }), ...("none" in pr ? {} : { commit: pr.head }) });
  const summarised = writeJobSummary(env, summary);
  const published = "none" in pr ? { done: "skipped" as const, why: pr.none } : await publishComment(pr, comment, API_TIMEOUT_MS);
  const delivery = `${summarised ? "job summary written; " : ""}comment ${published.done}${"why" in published ? `: ${published.why}` : `: ${published.url}`}`;
  if (options.json) process.stdout.write(`${JSON.stringify({ previews: previews.map(({ mandatory, ...rest }) => ({ ...rest, mandatory: [...mandatory] })), comment, delivery }, null, 2)}\n`);
  else process.stdout.write(`${comment}\n`);
  process.stderr.write(`safe-deploy preview: ${delivery}\n`);
  const codes = previews.map((p) => exitCodeOf(p.run.outcome));
  return codes.find((code) => code !== EXIT.ok) ?? EXIT.ok;
}
