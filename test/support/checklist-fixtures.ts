// Gathered checklists for tests that run the program under mocks, where no
// outside source exists: a release whose every item passed, and the same with
// chosen items failing. The gatherers themselves are tested against real
// sources (test/checklist); these only feed the program's wiring.
import { RELEASE_ITEMS, SERVICE_ITEMS, type ChecklistItem, type GatheredChecklist, type ItemResult } from "../../checklist/item";
import type { Gather } from "../../checklist/pre-deployment-checks";

export const GATHERED_AT = "2026-11-24T10:00:00.000Z";

/** A gather whose every item passes, except `failing` (each `fail` with a reason and a fix naming the item). */
export function gatherWith(failing: readonly ChecklistItem[] = [], gatheredAt = GATHERED_AT): Gather & { calls: string[][] } {
  const calls: string[][] = [];
  const result = (item: ChecklistItem): ItemResult =>
    failing.includes(item)
      ? { item, status: "fail", reason: `${item} does not hold`, source: `test source of ${item}`, fix: `make ${item} hold` }
      : { item, status: "pass", reason: `${item} holds`, source: `test source of ${item}` };
  const gather = async (_config: unknown, request: { services: readonly { name: string }[] }): Promise<GatheredChecklist> => {
    calls.push(request.services.map((s) => s.name));
    return {
      gatheredAt,
      facts: { commit: "0123456789abcdef0123456789abcdef01234567", tag: "v2026.11.24", deployedBy: "alice" },
      release: RELEASE_ITEMS.map(result),
      services: Object.fromEntries(request.services.map((s) => [s.name, SERVICE_ITEMS.map(result)])),
    };
  };
  return Object.assign(gather, { calls });
}
