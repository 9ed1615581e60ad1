// artifacts-present: the image of the new version and of the rollback target
// exist in the registry, asked by the OCI distribution API (HEAD of the
// manifest, tag as reference). Credentials are Pulumi secrets: basic auth,
// a bearer token fetched with them on a Bearer challenge, or a token as is.
import type { ItemResult } from "../item";
import { fail, pass, unknown } from "../results";
import { apiUrl, networkCause } from "./http-json";

/** Every manifest kind a tag may name: a multi-platform index or a single image, OCI or Docker. */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export interface RegistryCredentials {
  readonly username?: string;
  readonly password?: string;
  readonly token?: string;
}

/** One tag looked up: present with its digest, or missing. */
export interface TagLookup {
  readonly tag: string;
  readonly role: "new version" | "rollback target";
  readonly present: boolean;
  readonly digest?: string;
}

/** The repository path below the registry: the image without its host (`registry.example.com/shop/api` -> `shop/api`). */
export function repositoryOf(image: string): string {
  const [first = "", ...rest] = image.split("/");
  const isHost = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  return isHost ? rest.join("/") : image;
}

export function decideArtifacts(service: string, image: string, lookups: readonly TagLookup[], source: string): ItemResult {
  const item = "artifacts-present";
  const missing = lookups.filter((l) => !l.present);
  if (missing.length > 0) {
    const words = missing.map((l) => `${image}:${l.tag} (${l.role})`).join(" and ");
    const rollback = missing.some((l) => l.role === "rollback target") ? "; without the rollback target's image a rollback would fail to pull" : "";
    return fail(item, source, `${service}: ${words} not in the registry${rollback}`, `push ${missing.map((l) => `${image}:${l.tag}`).join(" and ")} (docker push / crane copy), then run the update again`);
  }
  const words = lookups.map((l) => `${l.tag} (${l.role}${l.digest === undefined ? "" : `, ${l.digest.slice(0, 19)}`})`).join(" and ");
  return pass(item, source, `${service}: ${image} has ${words}`);
}

/** A Bearer challenge's parameters (`realm`, `service`, `scope`). */
export function parseChallenge(header: string): Record<string, string> | undefined {
  const match = /^Bearer\s+(.*)$/i.exec(header.trim());
  if (match === null) return undefined;
  const params: Record<string, string> = {};
  for (const pair of (match[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)) params[pair[1] ?? ""] = pair[2] ?? "";
  return params;
}

function basic(credentials: RegistryCredentials): string | undefined {
  if (credentials.username === undefined || credentials.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

async function send(url: URL, method: string, where: string, signal: AbortSignal, authorization: string | undefined, accept?: string): Promise<Response> {
  try {
    const headers: Record<string, string> = {};
    if (accept !== undefined) headers["accept"] = accept;
    if (authorization !== undefined) headers["authorization"] = authorization;
    return await fetch(url, { method, headers, signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new Error(`${where} is unreachable (${networkCause(error)})`);
  }
}

/** A client for one registry that keeps the bearer token per repository it was given. */
export class RegistryClient {
  private readonly bearer = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    private readonly credentials: RegistryCredentials,
  ) {}

  private get where(): string {
    return `the registry at ${this.baseUrl}`;
  }

  /** Whether the tag exists; throws with words on any answer other than 200 and 404. */
  async lookup(repository: string, tag: string, role: TagLookup["role"], signal: AbortSignal): Promise<TagLookup> {
    const url = apiUrl(this.baseUrl, `v2/${repository}/manifests/${encodeURIComponent(tag)}`);
    const first = this.credentials.token !== undefined ? `Bearer ${this.credentials.token}` : (this.bearer.get(repository) ?? basic(this.credentials));
    let response = await send(url, "HEAD", this.where, signal, first, MANIFEST_ACCEPT);
    const challenge = parseChallenge(response.headers.get("www-authenticate") ?? "");
    if (response.status === 401 && challenge?.["realm"] !== undefined && this.credentials.token === undefined) {
      const token = await this.fetchToken(challenge, repository, signal);
      this.bearer.set(repository, `Bearer ${token}`);
      response = await send(url, "HEAD", this.where, signal, `Bearer ${token}`, MANIFEST_ACCEPT);
    }
    if (response.status === 200) {
      const digest = response.headers.get("docker-content-digest") ?? undefined;
      return digest === undefined ? { tag, role, present: true } : { tag, role, present: true, digest };
    }
    if (response.status === 404) return { tag, role, present: false };
    if (response.status === 401) {
      const given = this.credentials.token !== undefined || this.credentials.username !== undefined;
      throw new Error(`${this.where} answered 401 Unauthorized for ${repository}: ${given ? "the credentials were refused" : "it needs credentials (checklist.registry.username and .password, or .token)"}`);
    }
    if (response.status === 403) throw new Error(`${this.where} answered 403 Forbidden for ${repository}: the credentials may not pull it`);
    throw new Error(`${this.where} answered HTTP ${response.status} for ${repository}:${tag}`);
  }

  /** The token dance of the distribution spec: GET the realm with service and scope, with basic auth when given. */
  private async fetchToken(challenge: Record<string, string>, repository: string, signal: AbortSignal): Promise<string> {
    const realm = new URL(challenge["realm"] ?? "");
    if (challenge["service"] !== undefined) realm.searchParams.set("service", challenge["service"]);
    realm.searchParams.set("scope", challenge["scope"] ?? `repository:${repository}:pull`);
    const response = await send(realm, "GET", `the registry's token service at ${realm.origin}${realm.pathname}`, signal, basic(this.credentials));
    if (!response.ok) throw new Error(`the registry's token service at ${realm.origin}${realm.pathname} answered HTTP ${response.status}`);
    const body = (await response.json()) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === "string" ? body.token : body.access_token;
    if (typeof token !== "string") throw new Error(`the registry's token service at ${realm.origin}${realm.pathname} answered no token`);
    return token;
  }
}

/** The lookups of one service: the new version, and the rollback target when there is one. */
export async function lookupServiceTags(
  client: RegistryClient,
  service: { readonly name: string; readonly image: string; readonly version: string; readonly rollbackVersion?: string | undefined },
  source: string,
  signal: AbortSignal,
): Promise<ItemResult> {
  const repository = repositoryOf(service.image);
  try {
    const wanted: [string, TagLookup["role"]][] = [[service.version, "new version"]];
    if (service.rollbackVersion !== undefined && service.rollbackVersion !== service.version) wanted.push([service.rollbackVersion, "rollback target"]);
    const lookups = await Promise.all(wanted.map(([tag, role]) => client.lookup(repository, tag, role, signal)));
    return decideArtifacts(service.name, service.image, lookups, source);
  } catch (error) {
    if (signal.aborted) throw error;
    return unknown("artifacts-present", source, error instanceof Error ? error.message : String(error), "check checklist.registry.url and its credentials (pulumi config set --secret --path checklist.registry.password ...)");
  }
}
