// `analyze --service S --stack X`: one look at a canary (or, with --watch, a
// look every interval until it is decided), printed for people or, with
// --json, for machines. Exit codes: 0 pass, 1 fail, 2 inconclusive, 64 a
// usage or config error.
//
//   tools/run npm run analyze -- --service recommendation-engine --stack production
import { parseArgs } from "node:util";
import { defaultCanaryAnalysis, type CanaryAnalysisConfig } from "../config/canary-analysis";
import type { CanaryAnalysis, CanaryDecision } from "./canary-analysis";
import { formatAnalysis } from "./report";
import { runAnalysis } from "./run-analysis";
import { canaryService, readCanaryStart, readStackConfig } from "./stack-service";

export const EXIT_CODES: Readonly<Record<CanaryDecision, number>> = { pass: 0, fail: 1, inconclusive: 2 };
export const EXIT_USAGE = 64;

const USAGE = `usage: analyze --service NAME --stack STACK [--since 15m|ISO-TIME] [--prometheus URL] [--watch] [--json]
  --since       when the canary started (default: from pulumi stack history)
  --prometheus  Prometheus' URL (default: the service's analysis.prometheusUrl)
  --watch       look again every interval until pass or fail
  --json        print the analysis as JSON
exit codes: 0 pass, 1 fail, 2 inconclusive, 64 usage or config error`;

class UsageError extends Error {}

/** `15m`, `90s`, `2h` ago, or an ISO time; Unix seconds. */
export function parseSince(value: string, now: number): number {
  const ago = /^(\d+)(s|m|h)$/.exec(value);
  if (ago?.[1] !== undefined && ago[2] !== undefined) return now - Number(ago[1]) * { s: 1, m: 60, h: 3600 }[ago[2] as "s" | "m" | "h"];
  const at = Date.parse(value);
  if (Number.isFinite(at)) return at / 1000;
  throw new UsageError(`--since must be a duration such as 15m or a time such as 2026-01-01T10:00:00Z (got '${value}')`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function main(argv: readonly string[], print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        service: { type: "string" },
        stack: { type: "string" },
        since: { type: "string" },
        prometheus: { type: "string" },
        watch: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    print(`analyze: ${(error as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (args.help === true) {
    print(USAGE);
    return 0;
  }
  try {
    if (args.service === undefined || args.stack === undefined) throw new UsageError("--service and --stack are required");
    const stack = args.stack;
    const config = await readStackConfig(stack);
    const service = canaryService(config, args.service, stack);
    if (service.canaryVersion === undefined || service.canaryWeight === 0) {
      throw new UsageError(`service '${service.name}' of stack ${stack} has no canary taking traffic (canaryVersion ${service.canaryVersion ?? "unset"}, canaryWeight ${service.canaryWeight})`);
    }
    const analysis: CanaryAnalysisConfig = { ...(service.analysis ?? defaultCanaryAnalysis()), ...(args.prometheus === undefined ? {} : { prometheusUrl: args.prometheus }) };
    const start =
      args.since !== undefined
        ? parseSince(args.since, Date.now() / 1000)
        : await readCanaryStart(stack, service.name, service.canaryVersion);
    if (start === undefined) {
      throw new UsageError(`no successful update of stack ${stack} deployed ${service.name}'s canary ${service.canaryVersion} with traffic yet; pass --since to say when it started`);
    }

    let result: CanaryAnalysis;
    for (;;) {
      result = await runAnalysis({ service: service.name, namespace: config.namespace, analysis, start });
      const stopped = result.decision !== "inconclusive" || !args.watch || result.elapsedSeconds >= analysis.maxDurationSeconds;
      // A Prometheus that cannot answer ends a watch too: say so now rather than wait on it.
      const unreadable = result.decision === "inconclusive" && result.traffic.canaryRequests === 0 && result.reasons.some((r) => r.startsWith("Prometheus"));
      if (stopped || unreadable) break;
      if (!args.json) print(`${new Date().toISOString()} inconclusive: ${result.reasons.join("; ")}`);
      await sleep(analysis.intervalSeconds * 1000);
    }
    print(args.json ? JSON.stringify({ service: service.name, stack, ...result }, null, 2) : formatAnalysis(service.name, stack, result));
    return EXIT_CODES[result.decision];
  } catch (error) {
    print(`analyze: ${(error as Error).message}`);
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(70);
    },
  );
}
