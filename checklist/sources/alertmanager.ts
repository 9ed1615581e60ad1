// no-active-incident: no alert firing (active, not silenced, not inhibited)
// at or above the configured severity, from Alertmanager's API v2.
import { z } from "zod";
import type { ItemResult } from "../item";
import { fail, pass } from "../results";
import { apiUrl, getJson } from "./http-json";

export interface FiringAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly startsAt: string;
}

export interface IncidentPolicy {
  /** Severity values, lowest first. */
  readonly severities: readonly string[];
  readonly minSeverity: string;
}

export function decideNoActiveIncident(alerts: readonly FiringAlert[], policy: IncidentPolicy, source: string): ItemResult {
  const item = "no-active-incident";
  const floor = policy.severities.indexOf(policy.minSeverity);
  // An alert without a known severity (a Watchdog's `none`) does not block a release.
  const blocking = alerts.filter((alert) => policy.severities.indexOf(alert.labels["severity"] ?? "") >= floor && floor >= 0);
  const atOrAbove = `at or above ${policy.minSeverity}`;
  if (blocking.length === 0) {
    const others = alerts.length === 0 ? "no alert is firing" : `${alerts.length} alert(s) firing, none ${atOrAbove}`;
    return pass(item, source, others);
  }
  const named = blocking
    .slice(0, 5)
    .map((alert) => `${alert.labels["alertname"] ?? "(unnamed)"} (${alert.labels["severity"]}, since ${alert.startsAt}${alert.labels["namespace"] === undefined ? "" : `, namespace ${alert.labels["namespace"]}`})`);
  const more = blocking.length > 5 ? ` and ${blocking.length - 5} more` : "";
  return fail(
    item,
    source,
    `${blocking.length} alert(s) firing ${atOrAbove}: ${named.join(", ")}${more}; releasing during an incident makes it harder to tell what broke`,
    "resolve the incident first; if the release is the fix, silence the alert in Alertmanager (the silence is recorded there) and run the update again",
  );
}

const alertsSchema = z.array(
  z.object({
    labels: z.record(z.string(), z.string()),
    startsAt: z.string(),
    status: z.object({ state: z.string() }).optional(),
  }),
);

/** The active alerts that are neither silenced nor inhibited, narrowed by the configured matchers. */
export async function readFiringAlerts(baseUrl: string, matchers: readonly string[], signal: AbortSignal): Promise<FiringAlert[]> {
  const url = apiUrl(baseUrl, "api/v2/alerts");
  url.searchParams.set("active", "true");
  url.searchParams.set("silenced", "false");
  url.searchParams.set("inhibited", "false");
  for (const matcher of matchers) url.searchParams.append("filter", matcher);
  const body = await getJson(url, `Alertmanager at ${baseUrl}`, signal);
  const parsed = alertsSchema.safeParse(body);
  if (!parsed.success) throw new Error(`Alertmanager at ${baseUrl} answered something that is not a list of alerts`);
  return parsed.data.filter((alert) => alert.status === undefined || alert.status.state === "active").map(({ labels, startsAt }) => ({ labels, startsAt }));
}
