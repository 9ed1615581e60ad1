// The stack outputs' contract (lib/stack-outputs.ts) as the policy pack reads
// it: the pack's copy is the program's, byte for byte, and the program's real
// outputs of both shipped stacks (test/unit/rendered/) read through both.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readOutput, packContract } from "../../lib/stack-outputs";
import { readLive, readServices } from "../../policy/lib/outputs-contract";

const RENDERED = join(__dirname, "rendered");
const renderedOutputs = readdirSync(RENDERED).map((file) => [file, JSON.parse(readFileSync(join(RENDERED, file), "utf8")).outputs as Record<string, unknown>] as const);

describe("the outputs' contract the pack reads", () => {
  it("is the program's, exported as JSON Schema", async () => {
    await expect(`${JSON.stringify(packContract(), null, 2)}\n`).toMatchFileSnapshot("../../policy/lib/stack-outputs.schema.json");
  });

  it.each(renderedOutputs)("reads the services output and every live state of %s as the program does", (_file, outputs) => {
    const program = readOutput("services", outputs["services"], "test");
    const pack = readServices(outputs["services"]);
    expect(program.known && pack.known).toBe(true);
    expect(pack.known ? pack.value : undefined).toEqual(program.known ? program.value : undefined);
    for (const report of Object.values(outputs["services"] as Record<string, { live: unknown }>)) expect(readLive(report.live)).toMatchObject({ known: true });
  });

  it.each([
    ["a live state without its replicas", { strategy: "rolling", version: "v2.4.0" }, "live state"],
    ["a strategy the pack does not know", { strategy: "shadow", version: "v2.4.0", replicas: 2 }, "live state"],
    ["no object at all", "v2.4.0", "live state"],
  ])("reports %s as unknown, with the reason", (_what, live, words) => {
    const read = readLive(live);
    expect(read.known).toBe(false);
    expect(read.known ? "" : read.reason).toContain(words);
  });

  it("reports a services output of another shape as unknown, with the reason", () => {
    const read = readServices({ "user-api": { live: { strategy: "rolling", version: "v2.4.0", replicas: 5 } } });
    expect(read).toMatchObject({ known: false });
    expect(read.known ? "" : read.reason).toContain("services.user-api");
  });
});
