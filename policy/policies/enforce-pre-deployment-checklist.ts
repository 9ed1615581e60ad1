// The runbook's first rule, never skip the pre-deployment checks, as a stack
// policy over the DeploymentRecord the program writes (ConfigMap
// `safe-deploy-record`): every checklist item of the release and of every
// service passed, or is waived. `unknown` (not configured, timed out, refused)
// is not a pass. A waiver comes from the policy config (`waivers`, the team's
// standing decision, kept in the repository beside the config) or from the
// stack config (`safe-deploy:checklistWaivers`, an emergency, with who and
// why), which the program writes on the record beside the item, so the
// release that used it says so in the cluster and in its outputs. A rollback
// (the record's `release-kind`: every service changed goes back to the
// version its last release replaced) is judged by `rollbackItems` only: in
// the incident that calls for it, the window may be shut, staging ahead, an
// alert firing and the stack file just edited by the rollback itself.
import type { StackValidationPolicy } from "@pulumi/policy";
import { configOf } from "../lib/validate";
import { at, entries, str, UNKNOWN } from "../lib/values";

/** The record's name and data keys, as the program's DeploymentRecord writes them. */
export const RECORD = { name: "safe-deploy-record", releaseKey: "checklist.release", servicePrefix: "service." } as const;
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

export interface PreDeploymentChecklistConfig {
  /** Items waived for this environment whatever they say, each with why (e.g. no Alertmanager in this environment). */
  readonly waivers: Readonly<Record<string, string>>;
  /** Accept items waived in stack config (safe-deploy:checklistWaivers), which the record shows with who and why. */
  readonly acceptStackWaivers: boolean;
  /** The items a rollback is judged by. */
  readonly rollbackItems: readonly string[];
}

export const PRE_DEPLOYMENT_CHECKLIST_DEFAULTS: PreDeploymentChecklistConfig = { waivers: {}, acceptStackWaivers: true, rollbackItems: ["artifacts-present"] };

/** One recorded item that stops the release. */
export interface Finding {
  /** `release` or the service's name. */
  readonly scope: string;
  readonly item: string;
  readonly status: string;
  readonly reason: string;
  readonly source: string;
  readonly fix: string | undefined;
}

interface RecordedItem {
  readonly status?: unknown;
  readonly reason?: unknown;
  readonly source?: unknown;
  readonly fix?: unknown;
  readonly waived?: { readonly by?: unknown; readonly reason?: unknown };
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The items of one scope as the record holds them; an item that cannot be read is a finding of its own. */
function itemsOf(scope: string, value: unknown): [string, RecordedItem][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [["(record)", { status: "unreadable", reason: `the record's ${scope} items are not a JSON map`, source: "the DeploymentRecord" }]];
  return Object.entries(value as Record<string, RecordedItem>);
}

/** Every item of the record that neither passed nor is waived by `config`. */
export function findings(data: Readonly<Record<string, string>>, config: PreDeploymentChecklistConfig): Finding[] {
  const scopes: [string, unknown][] = [["release", parsed(data[RECORD.releaseKey] ?? "")]];
  for (const [key, text] of Object.entries(data)) {
    if (key.startsWith(RECORD.servicePrefix)) scopes.push([key.slice(RECORD.servicePrefix.length), at(parsed(text), "checklist")]);
  }
  const rollback = data["release-kind"] === "rollback";
  const found: Finding[] = [];
  for (const [scope, value] of scopes) {
    for (const [item, recorded] of itemsOf(scope, value)) {
      if (rollback && item !== "(record)" && !config.rollbackItems.includes(item)) continue;
      if (recorded.status === "pass" || config.waivers[item] !== undefined) continue;
      const waived = recorded.waived;
      if (config.acceptStackWaivers && typeof waived?.by === "string" && waived.by !== "" && typeof waived.reason === "string" && waived.reason !== "") continue;
      found.push({
        scope,
        item,
        status: typeof recorded.status === "string" ? recorded.status : "unreadable",
        reason: typeof recorded.reason === "string" ? recorded.reason : "no reason recorded",
        source: typeof recorded.source === "string" ? recorded.source : "unknown source",
        fix: typeof recorded.fix === "string" ? recorded.fix : undefined,
      });
    }
  }
  return found;
}

/** The violation: each finding on a line of its own, with its reason and its fix. */
export function findingsMessage(stack: string, found: readonly Finding[], rollback = false): string {
  const lines = found.map(
    (f) =>
      `  - ${f.scope === "release" ? "" : `${f.scope}: `}${f.item} is ${f.status}: ${f.reason} (from ${f.source}).` +
      ` Fix: ${f.fix ?? "see the README's 'Pre-deployment checklist' section"}; or waive it in an emergency: safe-deploy:checklistWaivers.${f.item} with by, reason and until.`,
  );
  return (
    `The pre-deployment checklist of stack '${stack}' is not complete: ${found.length} item${found.length === 1 ? "" : "s"} did not pass, so the ${rollback ? "rollback" : "release"} is refused ` +
    `(\`pulumi stack output checklist\` and ConfigMap ${RECORD.name} show every item):\n${lines.join("\n")}`
  );
}

export const enforcePreDeploymentChecklist: StackValidationPolicy = {
  name: "enforce-pre-deployment-checklist",
  description:
    "Every item of the pre-deployment checklist recorded on the DeploymentRecord (ConfigMap safe-deploy-record) passed: a clean tagged commit, CI green, staging first, artifacts present, cluster healthy, no firing incident, inside the window, attestations fresh; `unknown` is not a pass. " +
    "Fix: what each item's fix says; in an emergency waive the item in stack config (safe-deploy:checklistWaivers.<item>: by, reason, until), which the record keeps.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      waivers: {
        type: "object",
        additionalProperties: { type: "string", minLength: 10 },
        default: {},
        description: "Items waived in this environment, each with why (at least 10 characters).",
      },
      acceptStackWaivers: {
        type: "boolean",
        default: true,
        description: "Accept items waived in stack config (safe-deploy:checklistWaivers), recorded with who and why on the DeploymentRecord.",
      },
      rollbackItems: {
        type: "array",
        items: { type: "string" },
        default: ["artifacts-present"],
        description: "The items a rollback (every changed service back to the version its last release replaced) is judged by.",
      },
    },
  },
  validateStack: (args, report) => {
    const config = configOf(args, PRE_DEPLOYMENT_CHECKLIST_DEFAULTS);
    const record = args.resources.find((resource) => resource.type === CONFIG_MAP && str(at(resource.props, "metadata", "name")) === RECORD.name);
    if (record === undefined) args.notApplicable(`the stack has no DeploymentRecord (ConfigMap ${RECORD.name})`);
    const all = entries(at(record!.props, "data"));
    if (all === UNKNOWN) return;
    const data: Record<string, string> = {};
    for (const [key, value] of all) {
      const text = str(value);
      if (text === UNKNOWN) return;
      if (text !== undefined) data[key] = text;
    }
    const found = findings(data, config);
    if (found.length > 0) report(findingsMessage(data["stack"] ?? "?", found, data["release-kind"] === "rollback"), record!.urn);
  },
};
