// The pull request's comment: per stack, whether a release of this change
// would be let through, which services change to which version by which
// strategy, the resource changes in a line, the policy findings with their
// fixes (those mandatory in the stack's own environment flagged as
// blocking), what the program warned of (production's gate: the checklist
// items that would refuse the release today, and their fixes), and the way
// back (the commands the stack output will print). One hidden marker finds
// the comment again on the next push. Nothing here reads a secret: the
// engine's findings and warnings are already redacted ("[secret]").
import type { EngineRun } from "./engine-run";

/** Finds the comment again: one per pull request, updated on every push. */
export const COMMENT_MARKER = "<!-- safe-deploy:preview -->";
/** GitHub refuses a comment body over 65,536 characters. */
export const COMMENT_LIMIT = 65_536;

export interface ServiceChange {
  readonly name: string;
  readonly strategy: string;
  /** What serves today (the stack's last outputs); null when the service is new or the outputs do not say. */
  readonly from: string | null;
  /** What will serve once the update is through. */
  readonly to: string;
  /** The quick and the Pulumi-native way back once it is through; undefined when there is nothing to go back to. */
  readonly rollback?: { readonly target: string; readonly quick: string; readonly pulumi: string };
}

export interface StackPreview {
  readonly stack: string;
  readonly environment: string;
  /** The preview, judged with the pull-request config (every policy advisory, so it lists everything). */
  readonly run: EngineRun;
  /** The services whose version or strategy config changes; the rest are left out. */
  readonly services: readonly ServiceChange[];
  /** The policies the stack's own environment enforces as mandatory. */
  readonly mandatory: ReadonlySet<string>;
}

/** Whether `pulumi up` (or `safe-deploy up`) of the stack would go through today, and what says no. */
export function verdict(preview: StackPreview): { readonly through: boolean; readonly blocking: readonly string[] } {
  const blocking = [
    ...preview.run.policy.filter((finding) => preview.mandatory.has(finding.policy)).map((finding) => `policy ${finding.policy}`),
    ...preview.run.warnings.filter((warning) => /would be refused/.test(warning)).map(() => "production's gate (the checklist)"),
    ...(preview.run.outcome === "succeeded" ? [] : [`the preview ${preview.run.outcome}`]),
  ];
  return { through: blocking.length === 0, blocking: [...new Set(blocking)] };
}

/** Markdown text of one line: no table or list can be broken by it, no HTML or mention can be made by it. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/[<>]/g, (c) => (c === "<" ? "&lt;" : "&gt;")).replace(/@/g, "@\u200b").replace(/\s*\n\s*/g, " ");
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
/** Text of many lines, kept as it is, in a fence no line of it can close. */
const block = (text: string) => `\`\`\`\`text\n${text.replace(/````/g, "'''")}\n\`\`\`\``;

/**
 * The resource changes in a line, by operation and kind (`create: 7 Deployment, 5 Service`); what is
 * replaced or deleted also by name, since that is what a reviewer looks twice at. The engine's own
 * resources (the stack, providers) and the program's components change nothing in the cluster: left out.
 */
function resourceChanges(run: EngineRun): string {
  const byOp = new Map<string, { kinds: Map<string, number>; names: string[] }>();
  for (const step of run.steps) {
    const [type = "", name = ""] = step.resource.split(" ");
    if (type.startsWith("pulumi:") || type.startsWith("safe-deploy:")) continue;
    const kind = type.split(":").at(-1) ?? type;
    const entry = byOp.get(step.op) ?? { kinds: new Map<string, number>(), names: [] as string[] };
    entry.kinds.set(kind, (entry.kinds.get(kind) ?? 0) + 1);
    if (/replace|delete/.test(step.op)) entry.names.push(`${kind} ${name}`);
    byOp.set(step.op, entry);
  }
  if (byOp.size === 0) return "no resource changes";
  return [...byOp]
    .map(([op, { kinds, names }]) => `${op}: ${[...kinds].map(([kind, n]) => `${n} ${kind}`).join(", ")}${names.length === 0 ? "" : ` (${names.slice(0, 8).join(", ")}${names.length > 8 ? ", ..." : ""})`}`)
    .join("; ");
}

export function renderStack(preview: StackPreview): string {
  const { through, blocking } = verdict(preview);
  const lines = [
    `### ${through ? "✅" : "⛔"} ${cell(preview.stack)} (${cell(preview.environment)}): ${through ? "would go through" : `would be refused by ${blocking.join(", ")}`}`,
    "",
  ];
  if (preview.services.length === 0) lines.push("No service changes version.", "");
  else {
    lines.push("| service | version | strategy |", "|---|---|---|");
    for (const s of preview.services) lines.push(`| ${cell(s.name)} | ${s.from === null ? "new" : cell(s.from)} → **${cell(s.to)}** | ${cell(s.strategy)} |`);
    lines.push("");
  }
  lines.push(`Resources: ${cell(resourceChanges(preview.run))}.`, "");
  // One entry per policy: what it asks once, then what it found, resource by resource, as the pack words it.
  const byPolicy = new Map<string, { first: string; rest: string[] }>();
  for (const finding of preview.run.policy) {
    const [first = "", ...rest] = finding.message.split("\n");
    const entry = byPolicy.get(finding.policy) ?? { first, rest: [] };
    entry.rest.push(rest.join("\n").trim());
    byPolicy.set(finding.policy, entry);
  }
  const policies = [...byPolicy].sort(([a], [b]) => Number(preview.mandatory.has(b)) - Number(preview.mandatory.has(a)));
  if (policies.length > 0) {
    lines.push("**Policy pack**", "");
    for (const [policy, { first, rest }] of policies) {
      const level = preview.mandatory.has(policy) ? `⛔ blocking: mandatory in ${cell(preview.environment)}` : "advisory";
      lines.push(`- **${cell(policy)}** (${level}): ${cell(first)}`);
      const found = rest.filter((text) => text !== "");
      if (found.length > 0) lines.push("", block(found.join("\n")).replace(/^/gm, "  "));
    }
    lines.push("");
  }
  if (preview.run.warnings.length > 0) {
    lines.push("**The program warns** (production's gate names each checklist item that would refuse the release, and its fix)", "");
    for (const warning of preview.run.warnings) lines.push(block(warning));
    lines.push("");
  }
  const errors = preview.run.outcome === "succeeded" ? [] : preview.run.errors.filter((e) => !/^(preview|update) failed$/.test(e));
  if (errors.length > 0) lines.push("**Errors**", "", ...errors.map(block), "");
  const back = preview.services.filter((s) => s.rollback !== undefined);
  if (back.length > 0) {
    lines.push("**Way back** once it is through (the stack output prints these)", "");
    for (const s of back) {
      lines.push(`- ${cell(s.name)} to ${cell(s.rollback!.target)}: quick ${code(s.rollback!.quick)}`, `  then ${code(s.rollback!.pulumi)}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

/** The whole comment, the marker first; over the limit, cut at a stack's end (or a line) with a pointer to the job summary. */
export function renderComment(previews: readonly StackPreview[], where: { readonly summaryUrl?: string; readonly commit?: string } = {}): { readonly comment: string; readonly summary: string } {
  const head = [COMMENT_MARKER, "## safe-deploy preview", "", `Judged with the pull-request policy config (every policy advisory, so all are listed); blocking marks what the stack's own environment enforces.${where.commit === undefined ? "" : ` Commit ${code(where.commit)}.`}`, ""].join("\n");
  const parts = previews.map(renderStack);
  const summary = [head, ...parts].join("\n");
  if (summary.length <= COMMENT_LIMIT) return { comment: summary, summary };
  const pointer = `\n\n---\n*Shortened: the comment is over GitHub's ${COMMENT_LIMIT} characters.* The whole preview is in ${where.summaryUrl === undefined ? "the job summary" : `[the job summary](${where.summaryUrl})`}.\n`;
  let comment = head;
  for (const part of parts) {
    if (comment.length + part.length + 1 + pointer.length > COMMENT_LIMIT) {
      const room = COMMENT_LIMIT - comment.length - pointer.length - 8;
      const cut = part.slice(0, Math.max(0, room));
      comment += `\n${cut.slice(0, Math.max(0, cut.lastIndexOf("\n")))}`;
      break;
    }
    comment += `\n${part}`;
  }
  // An unclosed fence would swallow the pointer.
  if ((comment.match(/^````/gm)?.length ?? 0) % 2 === 1) comment += "\n````";
  return { comment: `${comment}${pointer}`, summary };
}
