// Takes every secret out of a text before anything is printed: the webhook URL, its path and
// query (where Slack keeps the key), and the token.
import type { WebhookSecrets } from "./webhook-secrets";

export const REDACTED = "[redacted]";

/** The strings that must never be printed, longest first so a URL goes before its own path. */
export function secretStrings(secrets: WebhookSecrets): string[] {
  const found = [secrets.url];
  try {
    const url = new URL(secrets.url);
    if (url.pathname.length > 1) found.push(url.pathname);
    if (url.search.length > 1) found.push(url.search);
    if (url.password !== "") found.push(url.password);
  } catch {
    // Not a URL: the whole value stays secret.
  }
  if (secrets.token !== undefined) found.push(secrets.token);
  return found.filter((value) => value.length > 0).sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: WebhookSecrets): string {
  return redactValues(text, secretStrings(secrets));
}

/** `text` with every one of `values` replaced, longest first (so no part of a longer one is left). */
export function redactValues(text: string, values: readonly string[]): string {
  return [...values]
    .filter((value) => value.length > 0)
    .sort((a, b) => b.length - a.length)
    .reduce((out, secret) => out.split(secret).join(REDACTED), text);
}
