// on-call-named, change-communicated, feature-flags-reviewed: what people
// vouch for in stack config, each with who and when. A missing attestation is
// `unknown` (not configured); one older than the configured age counts as
// missing, so it is `unknown` too, with its age in the reason.
import type { Attestation, ChecklistConfig } from "../../config/checklist";
import { configKeyPath } from "../../config/load";
import type { ItemResult, ReleaseItem } from "../item";
import { notConfigured, pass, unknown } from "../results";

/** Each attested item and its key under `checklist.attestations`. */
export const ATTESTED_ITEMS = {
  "on-call-named": { key: "onCall", what: "the on-call engineer for this release" },
  "change-communicated": { key: "changeCommunicated", what: "who announced the change" },
  "feature-flags-reviewed": { key: "featureFlagsReviewed", what: "who reviewed the feature flags" },
} as const satisfies Partial<Record<ReleaseItem, { key: keyof ChecklistConfig["attestations"]; what: string }>>;

export type AttestedItem = keyof typeof ATTESTED_ITEMS;

/** How old an attestation is, and whether it still counts. A time in the future does not count either. */
export function attestationAge(at: string, now: Date, maxAgeHours: number): { fresh: boolean; words: string } {
  const ageHours = (now.getTime() - Date.parse(at)) / 3_600_000;
  // A minute of clock skew between machines is not "the future".
  if (ageHours < -1 / 60) return { fresh: false, words: `is dated ${at}, in the future` };
  const rounded = Math.max(0, Math.round(ageHours * 10) / 10);
  if (ageHours > maxAgeHours) return { fresh: false, words: `is from ${at}, ${rounded} h ago, older than ${maxAgeHours} h, so it counts as missing` };
  return { fresh: true, words: `${rounded} h ago` };
}

export function decideAttestation(item: AttestedItem, attestation: Attestation | undefined, now: Date, maxAgeHours: number): ItemResult {
  const { key, what } = ATTESTED_ITEMS[item];
  const configKey = configKeyPath(["checklist", "attestations", key]);
  const setIt = `pulumi config set --path checklist.attestations.${key}.by <name> and checklist.attestations.${key}.at <now, ISO 8601>`;
  if (attestation === undefined) return notConfigured(item, configKey, `${setIt} (${what})`);
  const source = `config ${configKey}`;
  const age = attestationAge(attestation.at, now, maxAgeHours);
  if (!age.fresh) return unknown(item, source, `attested by ${attestation.by}, which ${age.words}`, setIt);
  return pass(item, source, `attested by ${attestation.by} at ${attestation.at} (${age.words})`);
}
