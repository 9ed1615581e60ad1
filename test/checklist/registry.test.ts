// artifacts-present against Debian's distribution registry (docker-registry)
// on loopback with htpasswd auth, filled through its HTTP API: both tags
// present, a missing new version, a missing rollback target, refused and
// missing credentials, and a registry that hangs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistSchema } from "../../config/checklist";
import { gatherChecklist, type ChangedService } from "../../checklist/gather";
import { debianServersReady, pushImage, REGISTRY_USER, startRegistry, type DebianServer } from "./support/debian-servers";
import { expectWithinBound } from "../support/time-bound";

const ready = debianServersReady("the registry tests", ["docker-registry"]);

describe.runIf(ready)("registry source", () => {
  let registry: DebianServer;
  let image: string;
  let digest: string;
  let rollbackDigest: string;
  beforeAll(async () => {
    registry = await startRegistry();
    image = `${new URL(registry.url).host}/shop/user-api`;
    digest = await pushImage(registry.url, "shop/user-api", "v2.4.0");
    rollbackDigest = await pushImage(registry.url, "shop/user-api", "v2.3.1");
  }, 60_000);
  afterAll(async () => registry?.stop());

  async function artifacts(service: Partial<ChangedService>, registryConfig: Record<string, unknown> = { username: REGISTRY_USER.username, password: REGISTRY_USER.password }, boundMs?: number) {
    const config = checklistSchema.parse({ registry: { url: registry.url, ...registryConfig } });
    const started = performance.now();
    const checklist = await gatherChecklist(
      config,
      { namespace: "production", services: [{ name: "user-api", image, version: "v2.4.0", rollbackVersion: "v2.3.1", ...service }] },
      { deployedBy: "test", ...(boundMs === undefined ? {} : { boundMs }) },
    );
    const item = checklist.services["user-api"]?.find((r) => r.item === "artifacts-present");
    if (item === undefined) throw new Error("no artifacts-present");
    return { item, elapsedMs: performance.now() - started };
  }

  it("passes when the new version and the rollback target are both there, with the new one's digest", async () => {
    const { item } = await artifacts({});
    expect(item).toMatchObject({ status: "pass", source: `registry ${registry.url}` });
    expect(item.reason).toBe(`user-api: ${image} has v2.4.0 (new version, ${digest.slice(0, 19)}) and v2.3.1 (rollback target, ${rollbackDigest.slice(0, 19)})`);
  });

  it("fails when the new version was never pushed", async () => {
    const { item } = await artifacts({ version: "v2.5.0" });
    expect(item).toMatchObject({ status: "fail", reason: `user-api: ${image}:v2.5.0 (new version) not in the registry` });
  });

  it("fails when the rollback target is gone, saying a rollback would fail", async () => {
    const { item } = await artifacts({ rollbackVersion: "v2.2.0" });
    expect(item.status).toBe("fail");
    expect(item.reason).toBe(`user-api: ${image}:v2.2.0 (rollback target) not in the registry; without the rollback target's image a rollback would fail to pull`);
  });

  it("is unknown when the password is refused, and never shows it", async () => {
    const { item } = await artifacts({}, { username: "ci", password: "wrong-password-123" });
    expect(item).toMatchObject({ status: "unknown", reason: `the registry at ${registry.url} answered 401 Unauthorized for shop/user-api: the credentials were refused` });
    expect(JSON.stringify(item)).not.toContain("wrong-password-123");
  });

  it("is unknown without credentials, naming the keys to set", async () => {
    const { item } = await artifacts({}, {});
    expect(item.status).toBe("unknown");
    expect(item.reason).toContain("it needs credentials (checklist.registry.username and .password, or .token)");
  });

  it("is unknown within its bound when the registry hangs", async () => {
    registry.pause();
    try {
      const { item, elapsedMs } = await artifacts({}, undefined, 600);
      expect(item).toMatchObject({ status: "unknown", reason: "timed out after 0.6 s" });
      expectWithinBound(elapsedMs, 600, { waitedForIt: true });
    } finally {
      registry.resume();
    }
  });
});
