// Emergency waivers of pre-deployment checklist items, in stack config:
//   safe-deploy:checklistWaivers:
//     ci-passed: { by: alice, reason: "CI is down (INC-4711); tests ran locally", until: "2026-12-04T18:00:00Z" }
// A waiver expires (`until`): one set in an incident does not quietly waive
// the item for every later release; past its time it waives nothing, and the
// update says so. A waiver never changes what was gathered: the item keeps its status and
// reason, and the record and the `checklist` output carry the waiver beside
// it (who, why), so the release that used it says so afterwards. The policy
// pack accepts a waived item only where its config allows stack waivers.
import { z } from "zod";
import { RELEASE_ITEMS, SERVICE_ITEMS, type ChecklistItem } from "../checklist/item";
import { instantSchema } from "./checklist";

const ITEMS: readonly string[] = [...RELEASE_ITEMS, ...SERVICE_ITEMS];

export const checklistWaiverSchema = z.strictObject({
  /** Who waives the item: a name an auditor can ask. */
  by: z.string().trim().min(1, { message: "must name who waives the item" }),
  /** Why the release goes out without it: an incident, a ticket. */
  reason: z.string().trim().min(10, { message: "must say why the item is waived, in at least 10 characters (an incident, a ticket)" }),
  /** When it stops waiving: an emergency is over by then, or is waived again, by name. */
  until: instantSchema,
});

/** Waived items by name. @default {} */
export const checklistWaiversSchema = z
  .record(z.string(), checklistWaiverSchema)
  .superRefine((waivers, ctx) => {
    for (const item of Object.keys(waivers)) {
      if (!ITEMS.includes(item)) ctx.addIssue({ code: "custom", path: [item], message: `is not a checklist item; one of ${ITEMS.join(", ")}` });
    }
  })
  .transform((waivers) => waivers as Partial<Record<ChecklistItem, ChecklistWaiver>>)
  .default({});

export type ChecklistWaiver = z.infer<typeof checklistWaiverSchema>;
export type ChecklistWaivers = Partial<Record<ChecklistItem, ChecklistWaiver>>;

/** The waivers still in force at `at` (ISO 8601), and those that expired, by item. */
export function waiversInForce(waivers: ChecklistWaivers, at: string): { readonly inForce: ChecklistWaivers; readonly expired: readonly string[] } {
  const now = Date.parse(at);
  const inForce: ChecklistWaivers = {};
  const expired: string[] = [];
  for (const [item, waiver] of Object.entries(waivers) as [ChecklistItem, ChecklistWaiver][]) {
    if (Date.parse(waiver.until) > now) inForce[item] = waiver;
    else expired.push(`${item} (by ${waiver.by}, until ${waiver.until})`);
  }
  return { inForce, expired };
}
