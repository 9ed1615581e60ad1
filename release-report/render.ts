// The release report as one self-contained HTML file (no script, no external
// asset): the verdict first, large and coloured, with why; then the two
// tracks' error rate and latency as SVG charts with each step and each
// analysis decision marked; the timeline; the checklist the release was judged
// by; and the way back taken, if any. Every text is escaped.
import type { ChecklistSummary } from "../cli/checklist-summary";
import type { Known } from "../cli/known";
import type { ReleaseTimeline, ReleaseVerdict, TimelineStep } from "./timeline";
import type { Point, TrackSeries } from "./track-series";

export interface ReportInput {
  readonly stack: string;
  readonly environment: string;
  readonly strategy: string;
  readonly timeline: ReleaseTimeline;
  /** Undefined for a strategy without tracks to compare (rolling, blue-green). */
  readonly series?: TrackSeries;
  readonly checklist: Known<ChecklistSummary>;
  readonly generatedAt: Date;
}

const COLOURS: Readonly<Record<ReleaseVerdict, string>> = { released: "#15803d", aborted: "#b91c1c", "rolled back": "#b91c1c", failed: "#b91c1c", held: "#b45309" };
const TRACK_COLOURS = { stable: "#1d4ed8", canary: "#ea580c" } as const;
const DECISION_COLOURS = { pass: "#15803d", fail: "#b91c1c", held: "#b45309", interrupted: "#475569" } as const;

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const duration = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

/** When the analysis decided after a step: the next update's start (the decision let it begin), or the step's end. */
function decisionTime(steps: readonly TimelineStep[], i: number): number {
  return steps[i + 1]?.startedAt ?? steps[i]?.endedAt ?? 0;
}

interface Marker {
  readonly at: number;
  readonly label: string;
  readonly colour: string;
  readonly kind: "step" | "decision";
}

function markers(steps: readonly TimelineStep[]): Marker[] {
  return steps.flatMap((step, i) => {
    const label = step.share !== undefined ? `${step.share}%` : step.by === "take-back" ? "taken back" : step.by === "abort" ? "abort" : /^promote/.test(step.what) ? "promote" : `#${step.update}`;
    const out: Marker[] = [{ at: step.endedAt, label, colour: "#475569", kind: "step" }];
    if (step.analysis !== undefined) {
      const { decision } = step.analysis;
      out.push({ at: decision === "held" ? step.endedAt : decisionTime(steps, i), label: decision, colour: DECISION_COLOURS[decision], kind: "decision" });
    }
    return out;
  });
}

/** The usual time between two points of a line: its smallest step, seconds (0 for fewer than two points). */
function step(points: readonly Point[]): number {
  let smallest = 0;
  for (let i = 1; i < points.length; i++) {
    const d = points[i]!.t - points[i - 1]!.t;
    if (d > 0 && (smallest === 0 || d < smallest)) smallest = d;
  }
  return smallest;
}

/** One chart: both tracks' lines over [from, to], the steps and decisions marked. */
function chart(title: string, unit: (v: number) => string, lines: { readonly stable: readonly Point[]; readonly canary: readonly Point[] }, from: number, to: number, marks: readonly Marker[]): string {
  const W = 880;
  const H = 260;
  const left = 64;
  const right = 16;
  const top = 46;
  const bottom = 34;
  const all = [...lines.stable, ...lines.canary];
  const max = Math.max(...all.map((p) => p.v), 0) * 1.15 || 1;
  const x = (ms: number) => left + ((ms - from) / Math.max(1, to - from)) * (W - left - right);
  const y = (v: number) => top + (1 - v / max) * (H - top - bottom);
  // A gap in the data (a track without traffic) breaks the line instead of bridging it.
  const gapSeconds = 2.5 * Math.min(...[lines.stable, lines.canary].map(step).filter((s) => s > 0), Infinity);
  const path = (points: readonly Point[]) =>
    points.map((p, i) => `${i === 0 || p.t - points[i - 1]!.t > gapSeconds ? "M" : "L"}${x(p.t * 1000).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  const grid = ticks.map((v) => `<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/><text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" class="tick" text-anchor="end">${escape(unit(v))}</text>`);
  const times = [0, 0.5, 1].map((f) => from + f * (to - from));
  const timeTicks = times.map((ms, i) => `<text x="${x(ms).toFixed(1)}" y="${H - 12}" class="tick" text-anchor="${["start", "middle", "end"][i]}">${clock(ms)}</text>`);
  // Labels closer than this to the one before of their kind drop a line, so two never overlap.
  const lastX = { step: -Infinity, decision: -Infinity };
  const row = { step: 0, decision: 0 };
  const markSvg = marks.map((m) => {
    const at = x(m.at);
    row[m.kind] = at - lastX[m.kind] < 8 * Math.max(m.label.length, 6) ? (row[m.kind] + 1) % 3 : 0;
    lastX[m.kind] = at;
    const mx = at.toFixed(1);
    // Near an edge the label grows inwards, so it is never cut off.
    const anchor = at < left + 40 ? "start" : at > W - right - 40 ? "end" : "middle";
    return m.kind === "step"
      ? `<line x1="${mx}" x2="${mx}" y1="${top}" y2="${H - bottom}" class="step"/><text x="${mx}" y="${top - 6 - 12 * row.step}" class="mark" text-anchor="${anchor}">${escape(m.label)}</text>`
      : `<circle cx="${mx}" cy="${top + 10}" r="5" fill="${m.colour}"/><text x="${mx}" y="${top + 26 + 15 * row.decision}" class="decision" fill="${m.colour}" text-anchor="${anchor}">${escape(m.label)}</text>`;
  });
  const empty = all.length === 0 ? `<text x="${W / 2}" y="${H / 2}" class="empty" text-anchor="middle">no data from Prometheus for this time</text>` : "";
  return `<figure><figcaption>${escape(title)} <span class="key"><i style="background:${TRACK_COLOURS.stable}"></i>stable <i style="background:${TRACK_COLOURS.canary}"></i>canary</span></figcaption>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escape(title)}" data-points-stable="${lines.stable.length}" data-points-canary="${lines.canary.length}">
${grid.join("\n")}
${timeTicks.join("\n")}
<path class="line" data-track="stable" stroke="${TRACK_COLOURS.stable}" d="${path(lines.stable)}"/>
<path class="line" data-track="canary" stroke="${TRACK_COLOURS.canary}" d="${path(lines.canary)}"/>
${markSvg.join("\n")}
${empty}
</svg></figure>`;
}

export function renderReport(input: ReportInput): string {
  const { timeline } = input;
  const first = timeline.steps[0];
  const last = timeline.steps.at(-1);
  const from = (first?.startedAt ?? 0) - 30_000;
  const to = Math.max(last?.endedAt ?? 0, ...(input.series?.errorRate.canary.map((p) => p.t * 1000) ?? [])) + 30_000;
  const colour = COLOURS[timeline.verdict];
  const marks = markers(timeline.steps);
  const charts =
    input.series === undefined
      ? `<p class="note">A ${escape(input.strategy)} release has no canary to compare with its stable track: no charts.</p>`
      : [
          chart("Error rate (5xx of requests)", (v) => `${(100 * v).toFixed(v < 0.01 ? 2 : 1)}%`, input.series.errorRate, from, to, marks),
          chart(`Latency, p${Math.round(input.series.quantile * 100)}`, (v) => `${Math.round(v * 1000)} ms`, input.series.latency, from, to, marks),
          ...input.series.problems.map((p) => `<p class="note">Prometheus: ${escape(p)}</p>`),
        ].join("\n");
  const rows = timeline.steps
    .map((step) => {
      const decision =
        step.analysis === undefined ? "" : `<span class="badge" style="background:${DECISION_COLOURS[step.analysis.decision]}">${step.analysis.decision}</span> ${escape(step.analysis.words)}`;
      return `<tr><td class="n">${step.update}</td><td class="n">${clock(step.startedAt)}</td><td class="n">${duration(step.endedAt - step.startedAt)}</td><td>${escape(step.what)}</td><td class="n ${step.result === "succeeded" ? "ok" : "bad"}">${escape(step.result)}</td><td>${decision}</td></tr>`;
    })
    .join("\n");
  const checklist = input.checklist.known
    ? `<p>Gathered at ${escape(input.checklist.value.gatheredAt)}.</p><ul>${[
        ...input.checklist.value.notPassed.map((item) => `<li>release: ${escape(item)}</li>`),
        ...input.checklist.value.services.flatMap((s) => s.notPassed.map((item) => `<li>${escape(s.name)} ${escape(s.version)}: ${escape(item)}</li>`)),
      ].join("") || "<li>every item passed</li>"}</ul>`
    : `<p class="note">unknown: ${escape(input.checklist.reason)}</p>`;
  const takeBack = timeline.steps.filter((step) => step.by === "take-back" || step.by === "abort");
  const wayBack =
    takeBack.length === 0
      ? "<p>None taken.</p>"
      : `<ul>${takeBack.map((step) => `<li>update ${step.update} at ${clock(step.startedAt)} (${duration(step.endedAt - step.startedAt)}, ${escape(step.result)}): ${escape(step.what)}</li>`).join("")}</ul>`;
  const span = first === undefined || last === undefined ? "" : `${new Date(first.startedAt).toISOString().slice(0, 10)} ${clock(first.startedAt)} to ${clock(last.endedAt)} UTC, ${duration(last.endedAt - first.startedAt)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(`${timeline.verdict.toUpperCase()}: ${timeline.service} ${timeline.version} on ${input.stack}`)}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;margin:0;background:#f8fafc}
main{max-width:960px;margin:0 auto;padding:24px}
.verdict{color:#fff;border-radius:10px;padding:18px 22px;margin-bottom:18px}
.verdict h1{margin:0;font-size:34px;letter-spacing:.02em}
.verdict p{margin:6px 0 0;font-size:16px;overflow-wrap:anywhere}
section{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:14px 18px;margin-bottom:16px}
h2{font-size:17px;margin:0 0 8px}
figure{margin:0 0 12px}figcaption{font-weight:600;margin-bottom:4px}
.key{font-weight:400;font-size:13px;margin-left:12px}.key i{display:inline-block;width:18px;height:4px;margin:0 4px 3px 10px;vertical-align:middle}
svg{width:100%;height:auto;display:block}
.grid{stroke:#e2e8f0}.tick{font-size:12px;fill:#64748b}.step{stroke:#94a3b8;stroke-dasharray:4 4}.mark{font-size:12px;fill:#334155}
.decision{font-size:13px;font-weight:700}.line{fill:none;stroke-width:2}.empty{font-size:15px;fill:#94a3b8}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{text-align:left;padding:5px 8px;border-top:1px solid #e2e8f0;vertical-align:top;overflow-wrap:anywhere}
td.n,th{white-space:nowrap}.ok{color:#15803d}.bad{color:#b91c1c;font-weight:600}.badge{color:#fff;border-radius:4px;padding:1px 6px;font-weight:700;font-size:12px}
.note{color:#64748b}
</style></head>
<body><main>
<div class="verdict" style="background:${colour}" data-verdict="${escape(timeline.verdict)}">
<h1>${escape(timeline.verdict.toUpperCase())}: ${escape(timeline.service)} ${escape(timeline.version)}</h1>
<p>${escape(timeline.why)}</p>
<p>stack ${escape(input.stack)} (${escape(input.environment)}), ${escape(input.strategy)}; ${escape(span)}</p>
</div>
<section><h2>Stable and canary</h2>
${charts}
</section>
<section><h2>Timeline</h2>
<table><thead><tr><th>update</th><th>started</th><th>took</th><th>step</th><th>result</th><th>decision</th></tr></thead><tbody>
${rows}
</tbody></table></section>
<section><h2>Checklist it was judged by</h2>${checklist}</section>
<section><h2>Way back taken</h2>${wayBack}</section>
<p class="note">safe-deploy report, ${escape(input.generatedAt.toISOString())}</p>
</main></body></html>
`;
}
