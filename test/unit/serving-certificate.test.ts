import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeServingCertificate } from "../../tools/cluster/serving-certificate";

describe("the local cluster's serving certificate", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "serving-cert-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is signed by the CA the kubeconfig carries, for the loopback address, with its key private", async () => {
    const serving = await writeServingCertificate(path.join(dir, "pki"));
    const ca = new X509Certificate(serving.caPem);
    const leaf = new X509Certificate(fs.readFileSync(serving.certFile));
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(fs.statSync(serving.keyFile).mode & 0o077).toBe(0);
  });
});
