// The `checklist` settings of a stack: where each fact of the pre-deployment
// checklist comes from. Every source is optional; an item whose source is not
// set here is `unknown` ("not configured"), never passed. Secrets (the GitHub
// token, the registry password) are set with `pulumi config set --secret
// --path checklist...`, so the stack file keeps them encrypted; their
// messages never quote the value.
import { z } from "zod";

/** An http(s) URL without credentials in it: sources name their URL in results, and a URL is printed. */
const endpointSchema = z
  .url({ protocol: /^https?$/, error: (issue) => `must be an http:// or https:// URL (got ${JSON.stringify(issue.input)})` })
  .refine((url) => URL.canParse(url) && new URL(url).username === "" && new URL(url).password === "", {
    when: (payload) => payload.issues.length === 0,
    // Not quoted: the value carries a password.
    message: "must not carry a user or password; set the credentials under their own keys with `pulumi config set --secret`",
  });

/** A secret's value: never quoted back, since it is a secret. */
function secretSchema(what: string) {
  return z
    .string({ error: `must be text: the ${what}, set with \`pulumi config set --secret --path ...\`` })
    .min(1, { error: `must not be empty: the ${what}` });
}

/** Who attested or overrode something: a person or a team, as an operator would write it. */
const actorSchema = z.string().trim().min(1).max(200);

/**
 * An unquoted `at: 2026-11-26T09:30:00Z` in a stack file is a YAML timestamp:
 * the CLI hands it to the program as Go prints a time, `2026-11-26 09:30:00
 * +0000 UTC`. Read back as the ISO 8601 time it was written as.
 */
const GO_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-]\d{2})(\d{2}) \S+$/;
const fromYamlTimestamp = (value: unknown): unknown => {
  const match = typeof value === "string" ? GO_TIME.exec(value) : null;
  return match === null ? value : `${match[1]}T${match[2]}${match[3]}:${match[4]}`;
};

/** A point in time, ISO 8601 with an offset (`2026-11-26T09:30:00Z`): "when" must be unambiguous. */
export const instantSchema = z.preprocess(
  fromYamlTimestamp,
  z.iso.datetime({ offset: true, error: (issue) => issue.input === undefined ? undefined : `must be an ISO 8601 time with an offset, such as 2026-11-26T09:30:00Z (got ${JSON.stringify(issue.input)})` }),
);

/** A time of day, `HH:MM` on a 24-hour clock; `24:00` is the end of the day. */
const timeOfDaySchema = z
  .string()
  .regex(/^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, { error: (issue) => `must be a time of day HH:MM such as 09:00 or 16:30 (got ${JSON.stringify(issue.input)})` });

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const timeZoneSchema = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { error: (issue) => `must be an IANA time zone such as Europe/Berlin or UTC (got ${JSON.stringify(issue.input)})` },
);

/**
 * One span of days and hours in which releases are allowed, e.g. mon-thu
 * 09:00-16:00. A span that closes before it opens crosses midnight (the
 * low-traffic hours of a 24/7 service, 22:00-02:00): it opens on each of its
 * days and closes on the next.
 */
const openSpanSchema = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS, { message: `must be one of ${WEEKDAYS.join(", ")}` })).min(1),
    /** Opens at, local time. */
    from: timeOfDaySchema,
    /** Closes at, local time (not included); before `from`, on the next day. */
    to: timeOfDaySchema,
  })
  .refine((span) => span.from !== span.to, {
    path: ["to"],
    message: "must differ from from (a whole day is 00:00-24:00)",
    when: (payload) => payload.issues.length === 0,
  })
  .refine((span) => span.from !== "24:00", { path: ["from"], message: "must be before 24:00 (a span opens within its day)", when: (payload) => payload.issues.length === 0 });

/** The weekdays 09:00-16:00, but Friday only until 14:00: the runbook's window. */
export const DEFAULT_OPEN_SPANS = [
  { days: ["mon", "tue", "wed", "thu"], from: "09:00", to: "16:00" },
  { days: ["fri"], from: "09:00", to: "14:00" },
] as const satisfies readonly z.input<typeof openSpanSchema>[];

/** Someone vouches for something, and when. */
const attestationSchema = z.strictObject({
  by: actorSchema,
  at: instantSchema,
});

/** An emergency release outside the window: who, why, when. Recorded and shown with the release. */
const overrideSchema = z.strictObject({
  by: actorSchema,
  reason: z.string().trim().min(10, { message: "must say why in at least 10 characters; it is recorded with the release" }).max(500),
  at: instantSchema,
});

const SEVERITIES_DEFAULT = ["info", "warning", "critical"];

export const checklistSchema = z
  .strictObject({
    /** The bound on each source, in seconds; past it the item is `unknown`. @default 5 */
    timeoutSeconds: z.number().min(0.1).max(60).default(5),
    /** An attestation or override older than this counts as missing. @default 24 */
    maxAttestationAgeHours: z.number().min(0.1).max(24 * 31).default(24),
    /** The project's repository: tree clean, commit, annotated tag at HEAD. @default - not configured */
    git: z
      .strictObject({
        /** The repository's working tree, relative to the project directory or absolute. @default "." */
        repoPath: z.string().min(1).default("."),
      })
      .optional(),
    /** GitHub (or GitHub Enterprise): check runs and combined status of the commit. @default - not configured */
    github: z
      .strictObject({
        owner: z.string().min(1),
        repo: z.string().min(1),
        /** GitHub Enterprise: https://github.example.com/api/v3. @default https://api.github.com */
        baseUrl: endpointSchema.default("https://api.github.com"),
        /** A token with read access to checks and statuses; a Pulumi secret. @default - the GITHUB_TOKEN environment variable */
        token: secretSchema("GitHub token").optional(),
      })
      .optional(),
    /** The staging stack whose outputs say what staging runs. @default `<org>/<project>/staging` */
    staging: z
      .strictObject({
        /** A fully qualified stack name, `org/project/stack`. */
        stack: z.string().regex(/^[^/\s]+\/[^/\s]+\/[^/\s]+$/, { message: "must be a fully qualified stack name org/project/stack" }).optional(),
      })
      .optional(),
    /** The OCI registry holding the images: the new version and the rollback target must be there. @default - not configured */
    registry: z
      .strictObject({
        /** The registry's base URL, e.g. https://registry.example.com; images are looked up by their path below the host. */
        url: endpointSchema,
        /** With password: basic auth (and bearer tokens fetched with it). */
        username: z.string().min(1).optional(),
        /** A Pulumi secret. */
        password: secretSchema("registry password").optional(),
        /** A bearer token used as is instead of username and password; a Pulumi secret. */
        token: secretSchema("registry token").optional(),
      })
      .refine((r) => (r.username === undefined) === (r.password === undefined), { message: "must set username and password together" })
      .refine((r) => r.token === undefined || r.username === undefined, { message: "must set either token or username and password, not both" })
      .optional(),
    /** The cluster the provider deploys to: API reachable, nodes Ready, no failing pods in the namespace. @default - not configured */
    cluster: z
      .strictObject({
        /** A pod Pending longer than this counts as failing. @default 300 */
        pendingBoundSeconds: z.int().min(10).max(86_400).default(300),
      })
      .optional(),
    /** Alertmanager: no firing alert at or above the severity. @default - not configured */
    alertmanager: z
      .strictObject({
        url: endpointSchema,
        /** Alerts at this severity or above block the release. @default critical */
        minSeverity: z.string().min(1).default("critical"),
        /** The `severity` label's values, lowest first; alerts with another or no severity are ignored. @default [info, warning, critical] */
        severities: z.array(z.string().min(1)).min(1).default(SEVERITIES_DEFAULT),
        /** Alertmanager matchers narrowing the alerts that count, e.g. `namespace="production"`. @default [] */
        matchers: z.array(z.string().min(1)).default([]),
      })
      .refine((a) => a.severities.includes(a.minSeverity), { path: ["minSeverity"], message: "must be one of severities" })
      .optional(),
    /** Prometheus: alerting rules exist for each service. @default - not configured */
    prometheus: z
      .strictObject({
        url: endpointSchema,
        /** The label naming the service in a rule's labels or query. @default app */
        serviceLabel: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { message: "must be a Prometheus label name" }).default("app"),
      })
      .optional(),
    /** When releases are allowed. @default - not configured */
    window: z
      .strictObject({
        /** @default UTC */
        timeZone: timeZoneSchema.default("UTC"),
        /** @default mon-thu 09:00-16:00, fri 09:00-14:00 */
        open: z.array(openSpanSchema).min(1).default(DEFAULT_OPEN_SPANS.map((s) => ({ ...s, days: [...s.days] }))),
      })
      .optional(),
    /** An emergency release outside the window. Recorded on the release and shown in its outputs. @default - none */
    override: overrideSchema.optional(),
    /** What people vouch for. Each missing or stale one is `unknown`. @default - none */
    attestations: z
      .strictObject({
        onCall: attestationSchema.optional(),
        changeCommunicated: attestationSchema.optional(),
        featureFlagsReviewed: attestationSchema.optional(),
      })
      .default({}),
  });

export type ChecklistConfig = z.infer<typeof checklistSchema>;
export type OpenSpan = z.infer<typeof openSpanSchema>;
export type Attestation = z.infer<typeof attestationSchema>;
export type Override = z.infer<typeof overrideSchema>;

/** A stack without `checklist`: every source not configured, every default. */
export function defaultChecklistConfig(): ChecklistConfig {
  return checklistSchema.parse({});
}
