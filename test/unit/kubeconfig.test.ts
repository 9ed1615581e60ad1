// The one kubeconfig loader (lib/kubeconfig.ts) reads `kubernetes:kubeconfig` and `kubernetes:context`
// as pulumi-kubernetes does: a path when a file is there, else the kubeconfig's own text; nothing
// given, the usual places; a context replaces the current one. Its errors never quote a kubeconfig.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadKubeConfig } from "../../lib/kubeconfig";

const TOKEN = "not-a-real-token-5e1f";

/** Two clusters, `shop` current, `staging` beside it. */
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: shop
  cluster: { server: "https://10.0.0.1:6443" }
- name: staging
  cluster: { server: "https://10.0.0.9:6443" }
users:
- name: ci
  user: { token: ${TOKEN} }
contexts:
- name: shop
  context: { cluster: shop, user: ci }
- name: staging
  context: { cluster: staging, user: ci }
current-context: shop
`;

const server = async (kubeconfig?: string, context?: string) => (await loadKubeConfig(kubeconfig, context)).getCurrentCluster()?.server;
const refusal = (kubeconfig: string) => loadKubeConfig(kubeconfig).then(() => "loaded", (error: unknown) => (error as Error).message);

describe("the kubeconfig every reader of the cluster loads", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-kubeconfig-"));
  const file = path.join(dir, "config");
  fs.writeFileSync(file, KUBECONFIG);
  const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is the file when the value is a path", async () => {
    expect(await server(file)).toBe("https://10.0.0.1:6443");
  });

  it("expands ~/ to the home directory, as the provider does", async () => {
    process.env.HOME = dir;
    expect(await server("~/config")).toBe("https://10.0.0.1:6443");
  });

  it("is the text itself when the value is a kubeconfig's YAML or JSON", async () => {
    expect(await server(KUBECONFIG)).toBe("https://10.0.0.1:6443");
    const json = JSON.stringify({
      apiVersion: "v1",
      clusters: [{ name: "c", cluster: { server: "https://10.0.0.3:6443" } }],
      users: [{ name: "u", user: { token: TOKEN } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    });
    expect(await server(json)).toBe("https://10.0.0.3:6443");
  });

  it.each([undefined, ""])("is $KUBECONFIG's when the value is %j", async (value) => {
    process.env.KUBECONFIG = file;
    expect(await server(value)).toBe("https://10.0.0.1:6443");
  });

  it("uses the context given instead of the current one", async () => {
    expect(await server(file, "staging")).toBe("https://10.0.0.9:6443");
    process.env.KUBECONFIG = file;
    expect(await server(undefined, "staging")).toBe("https://10.0.0.9:6443");
  });

  it("refuses a context the kubeconfig does not have, naming those it has", async () => {
    await expect(loadKubeConfig(file, "production")).rejects.toThrow("the kubeconfig has no context 'production' (it has 'shop', 'staging')");
  });

  it("refuses a path to nothing, quoting the path", async () => {
    const missing = path.join(dir, "no-such-kubeconfig");
    expect(await refusal(missing)).toBe(`'${missing}' is no file, and as a kubeconfig's text it names no cluster`);
  });

  it("refuses contents that do not parse without quoting them", async () => {
    expect(await refusal(`${KUBECONFIG}users: [`)).toBe("the kubeconfig given is no file, and does not parse as a kubeconfig's YAML or JSON");
  });

  it("refuses a file that does not parse without quoting it", async () => {
    const brokenFile = path.join(dir, "broken");
    fs.writeFileSync(brokenFile, `${KUBECONFIG}users: [`);
    expect(await refusal(brokenFile)).toBe(`'${brokenFile}' does not parse as a kubeconfig's YAML or JSON`);
  });
});
