// The rules of production's own gate (production-gate.ts applies them): the
// pack's enforce-pre-deployment-checklist and enforce-minimum-replicas, from
// the same policy config and in the pack's own words, as pure functions, so
// the two never disagree on a release (a unit test holds them item for
// item). The pack never imports this, nor this the pack.
import type { ChecklistRules, ReplicaRules } from "../config/policy-rules";
import { strategyOf, type ServiceConfig } from "../strategies/registry";
import type { RecordedChecklist, RecordedItem } from "./recorded-checklist";

/** One item that stops the release, as the pack's finding names it. */
export interface ChecklistRefusal {
  /** `release` or the service's name. */
  readonly scope: string;
  readonly item: string;
  readonly status: string;
  readonly reason: string;
  readonly source: string;
  readonly fix: string | undefined;
}

const waivedInStack = (item: RecordedItem): boolean => item.waived !== undefined && item.waived.by !== "" && item.waived.reason !== "";

/** Every item of the checklist that neither passed nor is waived, as the pack counts them. */
export function checklistRefusals(checklist: RecordedChecklist, rules: ChecklistRules): ChecklistRefusal[] {
  const rollback = checklist.release.kind === "rollback";
  const scopes: [string, Readonly<Record<string, RecordedItem>>][] = [
    ["release", checklist.release.items],
    ...Object.entries(checklist.services).map(([name, service]): [string, Readonly<Record<string, RecordedItem>>] => [name, service.items]),
  ];
  const refusals: ChecklistRefusal[] = [];
  for (const [scope, items] of scopes) {
    for (const [item, recorded] of Object.entries(items)) {
      if (rollback && !rules.rollbackItems.includes(item)) continue;
      if (recorded.status === "pass" || rules.waivers[item] !== undefined) continue;
      if (rules.acceptStackWaivers && waivedInStack(recorded)) continue;
      refusals.push({ scope, item, status: recorded.status, reason: recorded.reason, source: recorded.source, fix: recorded.fix });
    }
  }
  return refusals;
}

/** The pack's violation text for the same items (policy/policies/enforce-pre-deployment-checklist.ts). */
export function checklistRefusalMessage(stack: string, refusals: readonly ChecklistRefusal[], rollback: boolean): string {
  const lines = refusals.map(
    (f) =>
      `  - ${f.scope === "release" ? "" : `${f.scope}: `}${f.item} is ${f.status}: ${f.reason} (from ${f.source}).` +
      ` Fix: ${f.fix ?? "see the README's 'Pre-deployment checklist' section"}; or waive it in an emergency: safe-deploy:checklistWaivers.${f.item} with by, reason and until.`,
  );
  return (
    `The pre-deployment checklist of stack '${stack}' is not complete: ${refusals.length} item${refusals.length === 1 ? "" : "s"} did not pass, so the ${rollback ? "rollback" : "release"} is refused ` +
    `(\`pulumi stack output checklist\` and ConfigMap safe-deploy-record show every item):\n${lines.join("\n")}`
  );
}

/** One line per Deployment below the minimum, in the pack's words, naming the stack config key. */
export function replicaRefusals(services: readonly ServiceConfig[], namespace: string, rules: ReplicaRules): string[] {
  return services.flatMap((service) =>
    strategyOf(service)
      .guardedReplicas(service)
      .filter(({ replicas }) => replicas > 0 && replicas < rules.minReplicas)
      .map(
        ({ deployment, replicas }) =>
          `Deployment ${namespace}/${deployment} runs ${replicas} replica${replicas === 1 ? "" : "s"}; at least ${rules.minReplicas} are required, so that losing one pod (a node drain, a crash) does not take the service down. ` +
          `Raise spec.replicas to ${rules.minReplicas} or more (in safe-deploy: services.${service.name}.replicas).`,
      ),
  );
}
