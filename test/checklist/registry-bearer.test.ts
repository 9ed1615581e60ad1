// The registry's bearer-token flow (Docker Hub, GHCR, Harbor): a loopback
// server that challenges with `WWW-Authenticate: Bearer realm=...` and hands
// out a token for the configured user, as the distribution spec's token
// authentication describes. Debian's registry speaks only basic auth without
// a signing token service, so this part of the protocol is played here.
import { describe, expect, it } from "vitest";
import { checklistSchema } from "../../config/checklist";
import { gatherChecklist } from "../../checklist/gather";
import { useLoopbackServers, type Handler } from "../checks/loopback-server";

const startServer = useLoopbackServers();
const BASIC = `Basic ${Buffer.from("ci:bearer-test-password").toString("base64")}`;
const TOKEN = "issued-token-0123456789";

/** A registry holding shop/user-api:v2.4.0 and v2.3.1 behind a token service on the same server. */
function tokenRegistry(realm: () => string): Handler {
  return (request) => {
    const url = new URL(request.path, "http://registry");
    if (url.pathname === "/token") {
      if (request.headers["authorization"] !== BASIC) return { status: 401, body: { errors: [{ code: "UNAUTHORIZED" }] } };
      // The token is for what the challenge named, nothing wider.
      if (url.searchParams.get("scope") !== "repository:shop/user-api:pull" || url.searchParams.get("service") !== "registry.test") return { status: 400, body: { errors: [{ code: "DENIED" }] } };
      return { status: 200, body: { token: TOKEN } };
    }
    const manifest = /^\/v2\/shop\/user-api\/manifests\/(.+)$/.exec(url.pathname);
    if (manifest === null) return { status: 404, body: { errors: [{ code: "NAME_UNKNOWN" }] } };
    if (request.headers["authorization"] !== `Bearer ${TOKEN}`) {
      return { status: 401, body: { errors: [{ code: "UNAUTHORIZED" }] }, headers: { "www-authenticate": `Bearer realm="${realm()}",service="registry.test",scope="repository:shop/user-api:pull"` } };
    }
    // Without the index type in Accept, a multi-platform tag would look missing.
    if (!String(request.headers["accept"]).includes("application/vnd.oci.image.index.v1+json")) return { status: 400, body: { errors: [{ code: "MANIFEST_INVALID" }] } };
    return ["v2.4.0", "v2.3.1"].includes(manifest[1] ?? "") ? { status: 200, body: "" } : { status: 404, body: { errors: [{ code: "MANIFEST_UNKNOWN" }] } };
  };
}

async function artifacts(registry: Record<string, unknown>, rollbackVersion: string) {
  const checklist = await gatherChecklist(
    checklistSchema.parse({ registry }),
    { namespace: "production", services: [{ name: "user-api", image: "registry.test/shop/user-api", version: "v2.4.0", rollbackVersion }] },
    { deployedBy: "test" },
  );
  return checklist.services["user-api"]?.find((r) => r.item === "artifacts-present");
}

describe("registry source, bearer tokens", () => {
  it("answers a Bearer challenge with a token fetched with the credentials, and finds both tags", async () => {
    let url = "";
    const server = await startServer(tokenRegistry(() => `${url}/token`));
    url = server.url;
    const item = await artifacts({ url, username: "ci", password: "bearer-test-password" }, "v2.3.1");
    expect(item).toMatchObject({ status: "pass", reason: "user-api: registry.test/shop/user-api has v2.4.0 (new version) and v2.3.1 (rollback target)" });
    // One challenge and one token for the repository; the second tag reuses the token (both HEADs run at once, so up to two).
    expect(server.received.filter((r) => r.path.startsWith("/token")).length).toBeLessThanOrEqual(2);
    expect(JSON.stringify(item)).not.toContain(TOKEN);
  });

  it("fails on a missing rollback target behind the token", async () => {
    let url = "";
    const server = await startServer(tokenRegistry(() => `${url}/token`));
    url = server.url;
    expect(await artifacts({ url, username: "ci", password: "bearer-test-password" }, "v2.2.0")).toMatchObject({ status: "fail" });
  });

  it("is unknown when the token service refuses the credentials", async () => {
    let url = "";
    const server = await startServer(tokenRegistry(() => `${url}/token`));
    url = server.url;
    const item = await artifacts({ url, username: "ci", password: "wrong-password-456" }, "v2.3.1");
    expect(item).toMatchObject({ status: "unknown", reason: `the registry's token service at ${url}/token answered HTTP 401` });
    expect(JSON.stringify(item)).not.toContain("wrong-password-456");
  });

  it("sends a configured token as is", async () => {
    let url = "";
    const server = await startServer(tokenRegistry(() => `${url}/token`));
    url = server.url;
    expect(await artifacts({ url, token: TOKEN }, "v2.3.1")).toMatchObject({ status: "pass" });
    expect(server.received.some((r) => r.path.startsWith("/token"))).toBe(false);
  });
});
