// `safe-deploy report --stack S [SERVICE]`: the latest release of a service
// (by default the stack's latest release) as one self-contained HTML file: its
// timeline from the stack history, the tracks over it from Prometheus, the
// checklist the stack's last update was judged by, the way back taken.
// Every read is bounded; one that fails leaves its part of the report saying
// why, and the report is still written.
import * as fs from "node:fs";
import * as path from "node:path";
import { defaultCanaryAnalysis } from "../config/canary-analysis";
import { parseStackConfig, rawConfigFromAll } from "../config/load";
import { parseUpdateMessage } from "../lib/update-messages";
import { renderReport } from "../release-report/render";
import { releaseTimeline, type ReleaseTimeline } from "../release-report/timeline";
import { readTrackSeries } from "../release-report/track-series";
import { asCanary } from "../strategies/canary";
import { checklistSummary } from "./checklist-summary";
import { CommandInputError, type OpenedStack } from "./open-stack";
import { serviceSpec } from "./release";

export interface ReportRun {
  readonly file: string;
  readonly service: string;
  readonly version: string;
  readonly verdict: ReleaseTimeline["verdict"];
  readonly why: string;
}

/** The service of the newest update `safe-deploy release` made, from its message. */
function latestReleased(messages: readonly (string | undefined)[]): string | undefined {
  return messages.map(parseUpdateMessage).find((message) => message?.command === "release")?.service;
}

export async function writeReport(opened: OpenedStack, service: string | undefined, options: { readonly out?: string; readonly now?: Date }): Promise<ReportRun> {
  const { stack } = opened;
  const history = await stack.history();
  const name = service ?? latestReleased(history.map((entry) => entry.message));
  if (name === undefined) throw new CommandInputError(`the stack history of ${stack.name} has no update made by safe-deploy release: name the service`);
  const timeline = releaseTimeline(history, name);
  if (timeline === undefined) throw new CommandInputError(`the stack history of ${stack.name} has no release of ${name} made by safe-deploy release`);
  const spec = serviceSpec(opened.config, stack.name, name);
  const canary = asCanary(spec);
  const first = timeline.steps[0]!;
  const last = timeline.steps.at(-1)!;
  const series =
    canary === undefined
      ? undefined
      : await readTrackSeries({
          app: name,
          namespace: parseStackConfig(rawConfigFromAll(opened.config)).namespace,
          analysis: canary.analysis ?? defaultCanaryAnalysis(),
          start: first.startedAt / 1000 - 30,
          // Past the last update: a held canary's traffic goes on after it.
          end: Math.max(last.endedAt / 1000 + 30, Math.min(Date.now() / 1000, last.endedAt / 1000 + 3600)),
        });
  const outputs = await stack.outputs();
  const html = renderReport({
    stack: stack.name,
    environment: opened.environment,
    strategy: spec.strategy,
    timeline,
    ...(series === undefined ? {} : { series }),
    checklist: checklistSummary(outputs["checklist"]?.value, stack.name),
    generatedAt: options.now ?? new Date(),
  });
  const file = path.resolve(options.out ?? `safe-deploy-report-${stack.name}-${name}-${timeline.version}.html`);
  fs.writeFileSync(file, html);
  return { file, service: name, version: timeline.version, verdict: timeline.verdict, why: timeline.why };
}

export const formatReport = (run: ReportRun): string => `${run.verdict}: ${run.service} ${run.version}: ${run.why}\nreport: ${run.file}\n`;
