// The pack as a whole: every policy's name, description and module agree;
// the per-environment config files set every policy, at the level each
// environment wants, with settings of the declared types.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../../policy/policies";
import { schemaDefaults } from "./support/judge";

const POLICY_DIR = join(__dirname, "..", "..", "policy");
const VERBS = ["disallow", "enforce", "configure", "missing"];
const HYGIENE = [
  "disallow-unpinned-images",
  "configure-health-probes",
  "configure-resource-limits",
  "enforce-restricted-pods",
  "disallow-secret-literals",
  "configure-bounded-migrations",
];

type PolicyConfigFile = Record<string, string | ({ enforcementLevel: string } & Record<string, unknown>)>;

function configFile(environment: string): PolicyConfigFile {
  return JSON.parse(readFileSync(join(POLICY_DIR, "config", `${environment}.json`), "utf8")) as PolicyConfigFile;
}

function levelOf(entry: PolicyConfigFile[string] | undefined): string | undefined {
  return typeof entry === "string" ? entry : entry?.enforcementLevel;
}

describe("the policy pack", () => {
  it("has one module per policy under policy/policies, named after the policy", () => {
    const modules = readdirSync(join(POLICY_DIR, "policies")).map((file) => file.replace(/\.ts$/, ""));
    expect(modules.sort()).toEqual(policies.map((p) => p.name).sort());
  });

  it.each(policies.map((p) => [p.name, p] as const))("%s: kebab-case name with a leading verb, a description that says how to fix it, mandatory by default", (name, policy) => {
    expect(name).toMatch(/^[a-z]+(-[a-z]+)+$/);
    expect(VERBS).toContain(name.split("-")[0]);
    expect(policy.description).toMatch(/ Fix: .{20,}/);
    expect(policy.enforcementLevel).toBe("mandatory");
  });

  it.each(policies.map((p) => [p.name, p] as const))("%s: its module's doc comment is there, and its exported defaults are its schema's", async (name, policy) => {
    const source = readFileSync(join(POLICY_DIR, "policies", `${name}.ts`), "utf8");
    expect(source.startsWith("// ")).toBe(true);
    const module = (await import(join(POLICY_DIR, "policies", `${name}.ts`))) as Record<string, unknown>;
    const defaults = Object.entries(module).find(([key]) => key.endsWith("_DEFAULTS"))?.[1];
    expect(schemaDefaults(policy)).toEqual(defaults ?? {});
  });

  it.each(["production", "staging", "pull-request"])("config/%s.json sets every policy of the pack and no other", (environment) => {
    expect(Object.keys(configFile(environment)).sort()).toEqual(policies.map((p) => p.name).sort());
  });

  it("production makes every policy mandatory", () => {
    const config = configFile("production");
    expect(policies.filter((p) => levelOf(config[p.name]) !== "mandatory").map((p) => p.name)).toEqual([]);
  });

  it("staging makes hygiene mandatory and the rest advisory", () => {
    const config = configFile("staging");
    for (const policy of policies) expect([policy.name, levelOf(config[policy.name])]).toEqual([policy.name, HYGIENE.includes(policy.name) ? "mandatory" : "advisory"]);
  });

  it("pull requests make every policy advisory, so a preview lists all that is missing without failing", () => {
    const config = configFile("pull-request");
    expect(policies.filter((p) => levelOf(config[p.name]) !== "advisory").map((p) => p.name)).toEqual([]);
  });

  it.each(["production", "staging", "pull-request"])("config/%s.json sets only properties a policy declares, with values of the declared type", (environment) => {
    for (const [name, entry] of Object.entries(configFile(environment))) {
      if (typeof entry === "string") continue;
      const schema = policies.find((p) => p.name === name)?.configSchema?.properties ?? {};
      for (const [key, value] of Object.entries(entry)) {
        if (key === "enforcementLevel") continue;
        const declared = schema[key];
        expect(declared, `${name}.${key}`).toBeDefined();
        const type = declared?.type === "integer" ? "number" : declared?.type === "array" ? "object" : declared?.type;
        expect([`${name}.${key}`, typeof value]).toEqual([`${name}.${key}`, type]);
      }
    }
  });
});
