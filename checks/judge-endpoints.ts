// Whether a Service sends traffic only to the pods it should: every ready endpoint in its
// EndpointSlices is a pod carrying the expected labels (`version=green`), and there is at least one.
import type { Verdict } from "./judge";

export interface ServedEndpoint {
  /** The first address of the endpoint (a pod IP). */
  readonly address: string;
  /** `conditions.ready`; the API says an unset value means ready. */
  readonly ready: boolean;
  /** `targetRef.name` when the target is a Pod. */
  readonly pod: string | undefined;
}

/** How many wrong endpoints a verdict lists before it counts the rest. */
const LISTED = 5;

export const formatLabels = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");

function wrongWith(endpoint: ServedEndpoint, labels: Readonly<Record<string, string>> | undefined, expected: Readonly<Record<string, string>>): string | undefined {
  if (endpoint.pod === undefined) return `endpoint ${endpoint.address} is not a pod`;
  if (labels === undefined) return `endpoint ${endpoint.address} is pod ${endpoint.pod}, which is gone`;
  const differing = Object.keys(expected).filter((key) => labels[key] !== expected[key]);
  if (differing.length === 0) return undefined;
  const has = differing.map((key) => `${key}=${labels[key] ?? "(unset)"}`).join(",");
  return `endpoint ${endpoint.address} is pod ${endpoint.pod} (${has}), not ${formatLabels(expected)}`;
}

export function judgeEndpoints(
  service: string,
  endpoints: readonly ServedEndpoint[],
  podLabels: ReadonlyMap<string, Readonly<Record<string, string>>>,
  expected: Readonly<Record<string, string>>,
): Verdict {
  const ready = endpoints.filter((endpoint) => endpoint.ready);
  if (ready.length === 0) return { ok: false, why: `Service '${service}' has no ready endpoints: it serves nothing` };
  const wrong = ready.map((endpoint) => wrongWith(endpoint, endpoint.pod === undefined ? undefined : podLabels.get(endpoint.pod), expected)).filter((why) => why !== undefined);
  if (wrong.length === 0) return { ok: true };
  const more = wrong.length > LISTED ? `; and ${wrong.length - LISTED} more` : "";
  return { ok: false, why: `${wrong.length} of ${ready.length} ready endpoints are not ${formatLabels(expected)}: ${wrong.slice(0, LISTED).join("; ")}${more}` };
}

/** `version=green,app=payment-service` as labels; undefined when it is not that shape. */
export function parseLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const match = /^([A-Za-z0-9][-A-Za-z0-9_./]*)=([-A-Za-z0-9_.]*)$/.exec(pair.trim());
    if (match?.[1] === undefined || match[2] === undefined) return undefined;
    labels[match[1]] = match[2];
  }
  return Object.keys(labels).length === 0 ? undefined : labels;
}
