import { describe, expect, it } from "vitest";
import { disallowSecretLiterals, looksSecret, SECRET_LITERALS_DEFAULTS } from "../../policy/policies/disallow-secret-literals";
import { deployment, edited, T } from "./fixtures";
import { judgeResource } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const ENV = ["spec", "template", "spec", "containers", 0, "env"] as const;
const judge = (props: Record<string, unknown>, config: Record<string, unknown> = {}) => judgeResource(disallowSecretLiterals, { type: T.deployment, props }, config);
const withEnv = (...entries: Record<string, unknown>[]) => edited(deployment(), ENV, [{ name: "SERVICE_VERSION", value: "v2.4.0" }, ...entries]);

describe("disallow-secret-literals", () => {
  it.each([
    ["DB_PASSWORD", true],
    ["GITHUB_TOKEN", true],
    ["CLIENT_SECRET", true],
    ["STRIPE_API_KEY", true],
    ["SENTRY_DSN", true],
    ["DATABASE_URL", true],
    ["database-url", true],
    ["TOKEN_TTL_SECONDS", false],
    ["SERVICE_VERSION", false],
    ["PASSWORD_MIN_LENGTH", false],
  ])("%s looks like a secret: %s", (name, secret) => {
    expect(looksSecret(name, SECRET_LITERALS_DEFAULTS.secretNames)).toBe(secret);
  });

  it("passes a Deployment whose environment holds no credentials", async () => {
    expect(await judge(deployment())).toEqual({ violations: [] });
  });

  it("refuses a literal DATABASE_URL, saying who could read it and where it belongs", async () => {
    const { violations } = await judge(withEnv({ name: "DATABASE_URL", value: "postgres://app:hunter2@db/app" }));
    expect(violations).toEqual([
      "Deployment production/user-api, container 'user-api': DATABASE_URL is set to a literal value, so anyone who can read the object, the stack's state or a preview log reads the credential. " +
        "Put it in a Secret and use valueFrom.secretKeyRef or envFrom (in safe-deploy: envFromSecrets).",
    ]);
  });

  it("never repeats the value in its message", async () => {
    const { violations } = await judge(withEnv({ name: "DB_PASSWORD", value: "hunter2" }));
    expect(violations).toHaveLength(1);
    expect(violations[0]).not.toContain("hunter2");
  });

  it("passes the same variable taken from a Secret", async () => {
    expect(await judge(withEnv({ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }))).toEqual({ violations: [] });
  });

  it("uses the configured names instead of the defaults", async () => {
    const props = withEnv({ name: "LICENSE", value: "abc" });
    expect((await judge(props)).violations).toHaveLength(0);
    expect((await judge(props, { secretNames: ["LICENSE"] })).violations).toHaveLength(1);
  });

  it("tolerates a value preview cannot know yet", async () => {
    expect(await judge(withEnv({ name: "DB_PASSWORD", value: UNKNOWN_ON_THE_WIRE }))).toEqual({ violations: [] });
  });
});
