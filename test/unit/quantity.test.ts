// The stack config's quantities: fewer forms than Kubernetes takes, read by the policy pack's
// parser (the project's one), so the config and the pack agree on every value both accept.
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

  it.each(["1e3", "-1", "+1", ".5", "1.", "100n", "100u", " 1", "1Ki ", "0x10", "Infinity", "", "one", "1K", "1mi"])(
    "refuses %j, as the config's pattern does",
    (quantity) => {
      expect(QUANTITY_PATTERN.test(quantity)).toBe(false);
      expect(quantityValue(quantity)).toBeUndefined();
    },
  );
});
