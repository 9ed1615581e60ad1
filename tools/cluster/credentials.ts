import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ClusterCredentials {
  /** Bearer token of the cluster admin (group system:masters). Never print it. */
  readonly token: string;
  /** kube-apiserver --token-auth-file. */
  readonly tokenFile: string;
  /** Service-account signing key (private, PEM). */
  readonly serviceAccountKeyFile: string;
  /** Service-account verification key (public, PEM). */
  readonly serviceAccountPublicKeyFile: string;
}

/**
 * Writes a static admin token and a service-account key pair (made with
 * openssl) into `dir`, readable by the owner only.
 */
export async function writeCredentials(dir: string): Promise<ClusterCredentials> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString("hex");
  const tokenFile = path.join(dir, "tokens.csv");
  // token,user,uid,"groups": system:masters passes every RBAC check.
  await fs.writeFile(tokenFile, `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });

  const serviceAccountKeyFile = path.join(dir, "service-account.key");
  const serviceAccountPublicKeyFile = path.join(dir, "service-account.pub");
  try {
    await run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", serviceAccountKeyFile]);
    await run("openssl", ["pkey", "-in", serviceAccountKeyFile, "-pubout", "-out", serviceAccountPublicKeyFile]);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT"
      ? "openssl is not on PATH (Debian package \"openssl\")"
      : String((error as { stderr?: unknown }).stderr ?? error);
    throw new Error(`could not make the service-account key pair in ${dir}: ${reason}`);
  }
  await fs.chmod(serviceAccountKeyFile, 0o600);
  return { token, tokenFile, serviceAccountKeyFile, serviceAccountPublicKeyFile };
}
