// The stack config's quantities: fewer forms than Kubernetes takes. The config and the policy
// pack each keep a parser (they never import each other); here both read every form the
// config accepts to the same value, so the two cannot drift apart.
import { describe, expect, it } from "vitest";
import { QUANTITY_PATTERN, quantityValue } from "../../lib/quantity";
import { quantityValue as packQuantityValue } from "../../policy/lib/quantity";

describe("a quantity in the stack config", () => {
  it.each([
    ["250m", 0.25],
    ["1", 1],
    ["1.5", 1.5],
    ["2k", 2000],
    ["1G", 1e9],
    ["256Mi", 256 * 2 ** 20],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1Ei", 2 ** 60],
  ])("reads %s as %d", (quantity, value) => {
    expect(quantityValue(quantity)).toBe(value);
    expect(packQuantityValue(quantity)).toBe(value);
  });

  it("reads every form the config accepts as the pack does", () => {
    const suffixes = ["", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    const numbers = ["0", "1", "2", "7", "10", "64", "100", "250", "999", "1000", "0.1", "0.5", "1.5", "2.25", "12.125"];
    for (const quantity of numbers.flatMap((n) => suffixes.map((suffix) => `${n}${suffix}`))) {
      expect(QUANTITY_PATTERN.test(quantity), quantity).toBe(true);
      expect(quantityValue(quantity), quantity).toBe(packQuantityValue(quantity));
    }
  });

  it.each(["1e3", "-1", "+1", ".5", "1.", "100n", "100u", " 1", "1Ki ", "0x10", "Infinity", "", "one", "1K", "1mi"])(
    "refuses %j, as the config's pattern does",
    (quantity) => {
      expect(QUANTITY_PATTERN.test(quantity)).toBe(false);
      expect(quantityValue(quantity)).toBeUndefined();
    },
  );
});
