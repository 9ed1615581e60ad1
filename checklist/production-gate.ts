// Production's own gate, in the program: what the production policy config
// makes mandatory and the program can judge by itself (release-gate.ts)
// refuses the update in the update pass, before any resource is registered,
// so nothing changes; `preview` warns and goes on, so a pull request lists
// everything still missing. It holds for a plain `pulumi up`, with no pack
// attached (with a self-managed backend nothing attaches one); the pack
// judges again, independently, wherever it is.
import * as pulumi from "@pulumi/pulumi";
import { readPolicyRules, type EnforcementLevel } from "../config/policy-rules";
import type { StackConfig } from "../config/schema";
import type { RecordedChecklist } from "./recorded-checklist";
import { checklistRefusalMessage, checklistRefusals, replicaRefusals } from "./release-gate";

export interface ProductionGateContext {
  readonly stack: string;
  /** Where policy/config/<environment>.json is: the project's directory. */
  readonly projectDir: string;
}

export function productionGate(config: StackConfig, checklist: RecordedChecklist, context: ProductionGateContext): void {
  const rules = readPolicyRules(config.environment, context.projectDir);
  const found = checklistRefusals(checklist, rules.checklist);
  // Each message is named by the policy whose rule it applies, so it reads as the pack's would.
  const judged: { readonly level: EnforcementLevel; readonly messages: readonly string[] }[] = [
    { level: rules.checklist.level, messages: found.length === 0 ? [] : [`enforce-pre-deployment-checklist: ${checklistRefusalMessage(context.stack, found, checklist.release.kind === "rollback")}`] },
    { level: rules.replicas.level, messages: replicaRefusals(config.services, config.namespace, rules.replicas).map((m) => `enforce-minimum-replicas: ${m}`) },
  ];
  const refusing = judged.filter((j) => j.level === "mandatory" || j.level === "remediate").flatMap((j) => j.messages);
  const advising = judged.filter((j) => j.level === "advisory").flatMap((j) => j.messages);
  if (refusing.length > 0 && !pulumi.runtime.isDryRun()) {
    throw new pulumi.RunError(`Refused before anything was deployed, by what ${rules.source} makes mandatory (whether the policy pack is attached or not):\n${refusing.join("\n")}`);
  }
  if (refusing.length > 0) pulumi.log.warn(`This preview succeeds, but \`pulumi up\` would be refused by the rules of ${rules.source}:\n${refusing.join("\n")}`);
  if (advising.length > 0) pulumi.log.warn(`Advisory, by the rules of ${rules.source}:\n${advising.join("\n")}`);
}
