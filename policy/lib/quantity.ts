// Kubernetes resource quantities (`250m`, `1`, `1.5`, `256Mi`, `1Gi`, `1e3`) as
// numbers, so a request can be compared with its limit.
//
// The program's config has its own parser (lib/quantity.ts, fewer forms): the
// pack never imports the program nor the program the pack, so each side keeps
// one, and test/unit/quantity.test.ts holds them to the same value on every
// form the config accepts. Not @kubernetes/client-node's quantityToScalar:
// the pack does not depend on client-node (an ES module it would load at
// start), quantityToScalar is not among client-node 2's exports (only
// dist/util.js has it), and it throws on forms Kubernetes accepts (`1.5Gi`,
// `0.5k`: BigInt of a fraction) and takes forms it refuses (`0x10`, `Infinity`).

const SUFFIXES: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
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

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/;

/** The quantity's value in base units (cores, bytes), or undefined when it is not a Kubernetes quantity. */
export function quantityValue(quantity: string | number): number | undefined {
  if (typeof quantity === "number") return Number.isFinite(quantity) ? quantity : undefined;
  const match = QUANTITY.exec(quantity.trim());
  if (match === null) return undefined;
  const [, digits, exponent, suffix] = match;
  const base = Number(digits);
  if (exponent !== undefined) return base * 10 ** Number(exponent.slice(1));
  return base * (SUFFIXES[suffix ?? ""] ?? NaN);
}
