// Where the webhook URL and its bearer token come from: an environment variable, or a file
// named by one (a mounted secret; what Pulumi will pass). Never argv, which `ps` shows to anyone.
import { readFileSync } from "node:fs";

export const WEBHOOK_URL_ENV = "SAFE_DEPLOY_WEBHOOK_URL";
export const WEBHOOK_TOKEN_ENV = "SAFE_DEPLOY_WEBHOOK_TOKEN";

export interface WebhookSecrets {
  readonly url: string;
  /** Sent as `authorization: Bearer ...` when set. @default - none */
  readonly token: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;
type ReadFile = (path: string) => string;

const readText: ReadFile = (path) => readFileSync(path, "utf8");

/** `NAME`, else the contents of the file `NAME_FILE` (trimmed), else undefined. Errors never quote the value. */
export function readSecret(env: Env, name: string, readFile: ReadFile = readText): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== "") return direct.trim();
  const file = env[`${name}_FILE`];
  if (file === undefined || file === "") return undefined;
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    const code = typeof error === "object" && error !== null && "code" in error ? ` (${String(error.code)})` : "";
    throw new Error(`cannot read ${name}_FILE '${file}'${code}`);
  }
  const value = text.trim();
  if (value === "") throw new Error(`${name}_FILE '${file}' is empty`);
  return value;
}

export function readWebhookSecrets(env: Env, readFile: ReadFile = readText): WebhookSecrets {
  const url = readSecret(env, WEBHOOK_URL_ENV, readFile);
  if (url === undefined) throw new Error(`no webhook: set ${WEBHOOK_URL_ENV} or ${WEBHOOK_URL_ENV}_FILE (never a flag, so it stays out of argv)`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${WEBHOOK_URL_ENV} is not a URL (its value is not shown)`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new Error(`${WEBHOOK_URL_ENV} must be http(s) (its value is not shown)`);
  return { url, token: readSecret(env, WEBHOOK_TOKEN_ENV, readFile) };
}
