// Kubernetes resource quantities (`250m`, `1`, `256Mi`, `1G`) as exact
// numbers, so a request can be compared with its limit before the API server
// refuses the pair halfway through an update. The policy pack keeps its own
// parser (it never imports the program); test/unit/quantity.test.ts holds the
// two to the same value on every form the config accepts.

/** The forms the stack config accepts: a decimal number and an optional SI or binary suffix. */
export const QUANTITY_PATTERN = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

const SCALE: Readonly<Record<string, number>> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The quantity's value in base units (cores, bytes), or undefined when it is not a quantity we accept. */
export function quantityValue(quantity: string): number | undefined {
  const match = QUANTITY_PATTERN.exec(quantity);
  if (match === null) return undefined;
  return Number(match[1]) * (SCALE[match[2] ?? ""] ?? Number.NaN);
}
