// Posts a payload to the incoming webhook, once, within a time bound. What it answers is already
// redacted: no secret can reach a caller's print through it.
import { probe } from "./http-probe";
import type { WebhookPayload } from "./notify-message";
import { redact } from "./redact";
import type { WebhookSecrets } from "./webhook-secrets";

export type PostOutcome =
  | { readonly ok: true; readonly status: number; readonly elapsedMs: number }
  | { readonly ok: false; readonly why: string; readonly elapsedMs: number };

export async function postWebhook(secrets: WebhookSecrets, payload: WebhookPayload, timeoutMs: number): Promise<PostOutcome> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (secrets.token !== undefined) headers.authorization = `Bearer ${secrets.token}`;
  const answer = await probe({ url: secrets.url, method: "POST", headers, body: JSON.stringify(payload), timeoutMs });
  if (answer.kind === "failure") return { ok: false, why: redact(`webhook: ${answer.reason}`, secrets), elapsedMs: answer.elapsedMs };
  if (answer.status >= 200 && answer.status <= 299) return { ok: true, status: answer.status, elapsedMs: answer.elapsedMs };
  // Slack answers a bad payload or a revoked hook with a short text (`invalid_token`, `no_service`).
  const said = answer.body.slice(0, 200).replace(/\s+/g, " ").trim();
  return { ok: false, why: redact(`webhook answered ${answer.status}${said === "" ? "" : `: ${said}`}`, secrets), elapsedMs: answer.elapsedMs };
}
