// The pre-deployment checklist of a rehearsal on the local cluster: what a
// laptop can really check is configured (the window, the cluster, the
// attestations of whoever rehearses), and what it cannot have (a CI run, a
// registry holding registry.example.com's images, an Alertmanager, a
// Prometheus, a tagged clean checkout) is waived in the stack config, each
// with why, so the record and `pulumi stack output checklist` say so. A real
// production stack configures these sources instead (README, "Pre-deployment
// checklist").
import { Scalar } from "yaml";
import type { ChecklistItem } from "../../checklist/item";

/** Who the rehearsal's attestations and waivers name. */
export const REHEARSAL_ACTOR = "safe-deploy rehearsal";

/** Items the local cluster has no source for, and why. */
export const LOCAL_WAIVERS: Readonly<Partial<Record<ChecklistItem, string>>> = {
  "tree-clean": "a rehearsal deploys from a working checkout, not a release",
  "release-tagged": "a rehearsal deploys from a working checkout, not a tagged release",
  "ci-passed": "no CI provider on a local machine",
  "artifacts-present": "the example images (registry.example.com) are in no registry; kwok runs no containers",
  "no-active-incident": "no Alertmanager on a local machine",
  "monitoring-configured": "no Prometheus with alert rules on a local machine",
};

export interface LocalChecklistOptions {
  /** The clock the attestations are made at (the program's clock). */
  readonly now: Date;
  /** Items to waive besides LOCAL_WAIVERS (e.g. staging-first when no staging stack shares the backend). @default {} */
  readonly alsoWaive?: Readonly<Partial<Record<ChecklistItem, string>>>;
}

/**
 * A string the stack file quotes: Pulumi reads an unquoted 2026-11-24T10:00:00Z
 * as a YAML timestamp and hands the program "2026-11-24 10:00:00 +0000 UTC".
 */
function quoted(value: string): Scalar<string> {
  const scalar = new Scalar(value);
  scalar.type = Scalar.QUOTE_DOUBLE;
  return scalar;
}

/** An edit of the stack file's `config:` adding the rehearsal's checklist settings and waivers. */
export function localChecklist(options: LocalChecklistOptions): (config: Record<string, unknown>) => void {
  const attested = { by: REHEARSAL_ACTOR, at: quoted(options.now.toISOString()) };
  const waivers = { ...LOCAL_WAIVERS, ...options.alsoWaive };
  return (config) => {
    config["safe-deploy:checklist"] = {
      // A rehearsal runs at any hour.
      window: { timeZone: "UTC", open: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "00:00", to: "24:00" }] },
      cluster: {},
      attestations: { onCall: attested, changeCommunicated: attested, featureFlagsReviewed: attested },
    };
    // A waiver expires: these hold for 30 days from the rehearsal's clock (tests move the program's clock days ahead of it).
    const until = quoted(new Date(options.now.getTime() + 30 * 24 * 3600_000).toISOString());
    config["safe-deploy:checklistWaivers"] = Object.fromEntries(Object.entries(waivers).map(([item, reason]) => [item, { by: REHEARSAL_ACTOR, reason, until }]));
  };
}

/** The checklist of a stack deployed on the local cluster with no staging stack beside it (tests, benchmarks): staging-first waived too. */
export function localChecklistAlone(now: Date): (config: Record<string, unknown>) => void {
  return localChecklist({ now, alsoWaive: { "staging-first": "deployed alone on the local cluster, with no staging stack beside it" } });
}
