// Kubernetes resource quantities (`250m`, `1`, `256Mi`, `1G`) in the forms the
// stack config accepts, as numbers, so a request can be compared with its
// limit before the API server refuses the pair halfway through an update.
// The number comes from the one quantity parser, the policy pack's
// (policy/lib/quantity.ts says why there and not client-node's; the schema's
// checks are synchronous besides, and client-node, an ES module, is only
// reached by dynamic import); this file only narrows the forms.
import { quantityValue as anyQuantityValue } from "../policy/lib/quantity";

/** The forms the stack config accepts: a decimal number and an optional SI or binary suffix. */
export const QUANTITY_PATTERN = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/** The quantity's value in base units (cores, bytes), or undefined when it is not a quantity we accept. */
export function quantityValue(quantity: string): number | undefined {
  return QUANTITY_PATTERN.test(quantity) ? anyQuantityValue(quantity) : undefined;
}
