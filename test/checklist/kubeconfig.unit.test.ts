// cluster-healthy reads the cluster `kubernetes:kubeconfig` names, as the Kubernetes provider reads
// that key: a path when such a file exists, else the kubeconfig's own text.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kubeConfigOf } from "../../checklist/sources/cluster";

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: shop
  cluster: { server: "https://10.0.0.1:6443" }
users:
- name: ci
  user: { token: not-a-real-token }
contexts:
- name: shop
  context: { cluster: shop, user: ci }
current-context: shop
`;

describe("the kubeconfig cluster-healthy reads", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-kubeconfig-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is the file when the setting is a path", async () => {
    const file = path.join(dir, "config");
    fs.writeFileSync(file, KUBECONFIG.replace("10.0.0.1", "10.0.0.2"));
    expect((await kubeConfigOf(file)).getCurrentCluster()?.server).toBe("https://10.0.0.2:6443");
  });

  it("is the text itself when the setting is a kubeconfig's contents", async () => {
    expect((await kubeConfigOf(KUBECONFIG)).getCurrentCluster()?.server).toBe("https://10.0.0.1:6443");
  });
});
