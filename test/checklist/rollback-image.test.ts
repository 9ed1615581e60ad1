// `safe-deploy rollback --to`'s registry check, against Debian's distribution
// registry (docker-registry) on loopback: an image that is there lets the
// rollback go on; one that is not, or a registry that refuses or does not
// answer, stops it before anything changes, saying which.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rollbackImageThere } from "../../cli/rollback";
import { checklistSchema } from "../../config/checklist";
import { debianServersReady, pushImage, REGISTRY_USER, startRegistry, type DebianServer } from "./support/debian-servers";

const ready = debianServersReady("the rollback registry tests", ["docker-registry"]);

describe.runIf(ready)("a rollback's image in the registry", () => {
  let registry: DebianServer;
  let image: string;
  beforeAll(async () => {
    registry = await startRegistry();
    image = `${new URL(registry.url).host}/shop/user-api`;
    await pushImage(registry.url, "shop/user-api", "v2.3.1");
  }, 60_000);
  afterAll(async () => registry?.stop());

  const checklist = (password: string = REGISTRY_USER.password) => checklistSchema.parse({ registry: { url: registry.url, username: REGISTRY_USER.username, password } });

  it("lets a rollback to a version the registry has go on", async () => {
    await expect(rollbackImageThere(checklist(), image, "v2.3.1", 10_000)).resolves.toBeUndefined();
  });

  it("stops a rollback to a version the registry lacks, naming the image", async () => {
    await expect(rollbackImageThere(checklist(), image, "v2.2.0", 10_000)).rejects.toThrow(`${image}:v2.2.0 is not in the registry at ${registry.url}: a rollback to it would fail to pull; nothing was changed`);
  });

  it("stops it as unknown when the registry refuses the credentials", async () => {
    await expect(rollbackImageThere(checklist("wrong"), image, "v2.3.1", 10_000)).rejects.toThrow(/is unknown \(.*401.*\): nothing was changed/);
  });

  it("checks nothing without a registry configured", async () => {
    await expect(rollbackImageThere(checklistSchema.parse({}), image, "v0.0.1", 10_000)).resolves.toBeUndefined();
  });
});
