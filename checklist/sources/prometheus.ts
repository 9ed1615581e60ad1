// monitoring-configured: alerting rules exist for each service the update
// changes, from Prometheus's rules API. A rule is the service's when its
// labels carry the service label (`app: user-api`) or its query selects it
// (`app="user-api"`).
import { z } from "zod";
import type { ItemResult } from "../item";
import { fail, pass } from "../results";
import { apiUrl, getJson } from "./http-json";

export interface AlertingRule {
  readonly group: string;
  readonly name: string;
  readonly query: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Whether the rule watches the service, by its labels or by a matcher in its query. */
export function ruleWatches(rule: AlertingRule, serviceLabel: string, service: string): boolean {
  if (rule.labels[serviceLabel] === service) return true;
  const escaped = service.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // `app="user-api"`, `app = 'user-api'`, or a regex matcher naming it among others (`app=~"user-api|cart"`).
  const exact = new RegExp(`\\b${serviceLabel}\\s*=\\s*["'\`]${escaped}["'\`]`);
  const regex = new RegExp(`\\b${serviceLabel}\\s*=~\\s*["'\`]([^"'\`]*\\|)?${escaped}(\\|[^"'\`]*)?["'\`]`);
  return exact.test(rule.query) || regex.test(rule.query);
}

export function decideMonitoring(service: string, rules: readonly AlertingRule[], serviceLabel: string, source: string): ItemResult {
  const item = "monitoring-configured";
  const watching = rules.filter((rule) => ruleWatches(rule, serviceLabel, service));
  if (watching.length === 0) {
    return fail(
      item,
      source,
      `no alerting rule watches ${service} (none of ${rules.length} rule(s) has ${serviceLabel}="${service}" in its labels or query); a bad release would page no one`,
      `add an alerting rule for ${service} (e.g. its error rate, selecting ${serviceLabel}="${service}") to Prometheus, then run the update again`,
    );
  }
  const names = watching.slice(0, 5).map((rule) => `${rule.name} (${rule.group})`);
  return pass(item, source, `${watching.length} alerting rule(s) watch ${service}: ${names.join(", ")}${watching.length > 5 ? ", ..." : ""}`);
}

const rulesSchema = z.object({
  status: z.literal("success"),
  data: z.object({
    groups: z.array(
      z.object({
        name: z.string(),
        rules: z.array(z.object({ type: z.string(), name: z.string(), query: z.string(), labels: z.record(z.string(), z.string()).optional() })),
      }),
    ),
  }),
});

export async function readAlertingRules(baseUrl: string, signal: AbortSignal): Promise<AlertingRule[]> {
  const url = apiUrl(baseUrl, "api/v1/rules");
  url.searchParams.set("type", "alert");
  const parsed = rulesSchema.safeParse(await getJson(url, `Prometheus at ${baseUrl}`, signal));
  if (!parsed.success) throw new Error(`Prometheus at ${baseUrl} answered something that is not its rules API`);
  return parsed.data.data.groups.flatMap((group) =>
    group.rules.filter((rule) => rule.type === "alerting").map((rule) => ({ group: group.name, name: rule.name, query: rule.query, labels: rule.labels ?? {} })),
  );
}
