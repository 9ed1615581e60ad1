// Pulumi's secret envelope, unwrapped for use and wrapped again for the state.
import { describe, expect, it } from "vitest";
import { makeSecret, unwrapSecrets, wrapSecretPaths } from "./shared/secrets";

describe("secret envelopes", () => {
  it("unwrap to their values and report where they were", () => {
    const inputs = { env: [{ name: "A", value: makeSecret("s3cr3t") }], data: makeSecret({ key: makeSecret("x") }) };

    const { value, secretPaths } = unwrapSecrets(inputs);

    expect(value).toEqual({ env: [{ name: "A", value: "s3cr3t" }], data: { key: "x" } });
    expect(secretPaths).toEqual([["env", 0, "value"], ["data"]]);
  });

  it("wrap the same places again, skipping places that do not exist", () => {
    const wrapped = wrapSecretPaths({ env: [{ name: "A", value: "s3cr3t" }], data: { key: "x" } }, [["env", 0, "value"], ["data"], ["gone", 1]]);

    expect(wrapped).toEqual({ env: [{ name: "A", value: makeSecret("s3cr3t") }], data: makeSecret({ key: "x" }) });
  });
});
