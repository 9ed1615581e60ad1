import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ServingCertificate {
  /** The CA that signed the serving certificate (PEM): the kubeconfig's certificate-authority-data. */
  readonly caPem: string;
  readonly caFile: string;
  /** kube-apiserver --tls-cert-file. */
  readonly certFile: string;
  /** kube-apiserver --tls-private-key-file. */
  readonly keyFile: string;
}

/**
 * Makes a throwaway CA and the API server's serving certificate for the
 * loopback address (openssl, EC P-256: milliseconds, not RSA's seconds), all
 * before the API server starts. Letting kube-apiserver generate its own pair
 * raced: its certificate file exists before it is fully written, and a CA
 * read at that moment made every later health check fail its TLS handshake.
 */
export async function writeServingCertificate(dir: string): Promise<ServingCertificate> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const caFile = path.join(dir, "ca.crt");
  const caKeyFile = path.join(dir, "ca.key");
  const certFile = path.join(dir, "apiserver.crt");
  const keyFile = path.join(dir, "apiserver.key");
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc"];
  try {
    await run("openssl", ["req", "-x509", ...ecKey, "-keyout", caKeyFile, "-out", caFile, "-days", "7", "-subj", "/CN=safe-deploy local cluster CA"]);
    await run("openssl", [
      "req", "-x509", ...ecKey, "-keyout", keyFile, "-out", certFile, "-days", "7", "-subj", "/CN=kube-apiserver",
      "-CA", caFile, "-CAkey", caKeyFile,
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-addext", "extendedKeyUsage=serverAuth", "-addext", "basicConstraints=critical,CA:FALSE",
    ]);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT"
      ? "openssl is not on PATH (Debian package \"openssl\")"
      : String((error as { stderr?: unknown }).stderr ?? error);
    throw new Error(`could not make the API server's serving certificate in ${dir}: ${reason}`);
  }
  await Promise.all([fs.chmod(caKeyFile, 0o600), fs.chmod(keyFile, 0o600)]);
  return { caPem: await fs.readFile(caFile, "utf8"), caFile, certFile, keyFile };
}
