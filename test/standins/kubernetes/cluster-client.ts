// A small REST client for any Kubernetes object, plain JSON in and out.
//
// The kubeconfig is loaded by @kubernetes/client-node (contexts, tokens, client
// certificates, exec plugins); requests go through node:https with the options
// it computes. Its KubernetesObjectApi is not used for the objects themselves:
// it deserializes built-in kinds into typed models, which turns timestamps into
// Date objects and drops fields its models do not know, and this provider
// must hand back the live object exactly as the API server returned it.
import * as http from "node:http";
import * as https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { asObject, isRecord, type Json, type JsonObject } from "../shared/json";
import type { GroupVersionKind, ObjectRef } from "./object-ref";

/** How long a TCP/TLS connect may take before the cluster counts as unreachable. */
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** How long a request may go without any data once connected. */
const REQUEST_IDLE_TIMEOUT_MS = 60_000;

/** The API server answered with an error status. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    /** The Status object's reason, e.g. AlreadyExists, NotFound, Conflict. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "KubeApiError";
  }
}

/** The API server could not be reached at all. */
export class ClusterUnreachableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ClusterUnreachableError";
  }
}

/** The cluster does not serve this apiVersion/kind (e.g. a CRD that is not installed). */
export class NoMatchError extends Error {
  constructor(readonly gvk: GroupVersionKind) {
    super(`no matches for kind "${gvk.kind}" in version "${gvk.apiVersion}"`);
    this.name = "NoMatchError";
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

interface ApiResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export type PropagationPolicy = "Foreground" | "Background" | "Orphan";

export interface ClusterClientOptions {
  /** A kubeconfig file; else the default rules (`KUBECONFIG`, then ~/.kube/config). */
  readonly kubeconfigPath?: string;
  /** @default 5000, or SAFE_DEPLOY_STANDIN_CONNECT_TIMEOUT_MS */
  readonly connectTimeoutMs?: number;
}

type KubeClientModule = typeof import("@kubernetes/client-node", { with: { "resolution-mode": "import" } });
let clientModule: Promise<KubeClientModule> | undefined;
function kubeClientModule(): Promise<KubeClientModule> {
  // client-node is an ES module; this project compiles to CommonJS.
  clientModule ??= import("@kubernetes/client-node");
  return clientModule;
}

export class ClusterClient {
  private readonly discovery = new Map<string, Promise<ApiResource[]>>();

  private constructor(
    private readonly kubeConfig: KubeConfig,
    /** The API server URL from the kubeconfig's current context. */
    readonly server: string,
    /** Where the kubeconfig came from, for error messages. */
    readonly source: string,
    private readonly connectTimeoutMs: number,
  ) {}

  static async load(options: ClusterClientOptions = {}): Promise<ClusterClient> {
    const k8s = await kubeClientModule();
    const kc = new k8s.KubeConfig();
    const source =
      options.kubeconfigPath ??
      (process.env["KUBECONFIG"] ? `KUBECONFIG=${process.env["KUBECONFIG"]}` : "the default kubeconfig (KUBECONFIG is not set)");
    try {
      if (options.kubeconfigPath !== undefined) kc.loadFromFile(options.kubeconfigPath);
      else kc.loadFromDefault();
    } catch (error) {
      throw new ClusterUnreachableError(`cannot load the kubeconfig from ${source}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const server = kc.getCurrentCluster()?.server;
    if (server === undefined || server === "") {
      throw new ClusterUnreachableError(`no Kubernetes cluster is configured in ${source}`);
    }
    const fromEnv = Number(process.env["SAFE_DEPLOY_STANDIN_CONNECT_TIMEOUT_MS"]);
    const connectTimeoutMs = options.connectTimeoutMs ?? (fromEnv > 0 ? fromEnv : DEFAULT_CONNECT_TIMEOUT_MS);
    return new ClusterClient(kc, server, source, connectTimeoutMs);
  }

  /** GET; undefined when the object does not exist. */
  async get(ref: ObjectRef): Promise<JsonObject | undefined> {
    try {
      return asObject(await this.request("GET", await this.objectPath(ref)));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** POST: fails with AlreadyExists (409) when an object of that name exists. */
  async create(object: JsonObject, ref: ObjectRef, fieldManager: string): Promise<JsonObject> {
    const path = await this.collectionPath(ref, ref.namespace);
    return asObject(await this.request("POST", path, { query: { fieldManager }, body: object }));
  }

  /** Server-side apply (PATCH application/apply-patch+yaml; JSON is YAML). */
  async apply(object: JsonObject, ref: ObjectRef, fieldManager: string, force: boolean): Promise<JsonObject> {
    const query: Record<string, string> = { fieldManager };
    if (force) query["force"] = "true";
    return asObject(
      await this.request("PATCH", await this.objectPath(ref), {
        query,
        body: object,
        contentType: "application/apply-patch+yaml",
      }),
    );
  }

  /** JSON patch (RFC 6902), or a strategic merge patch (as `kubectl patch` sends) when given an object. */
  async patch(ref: ObjectRef, patch: readonly JsonObject[] | JsonObject, fieldManager?: string): Promise<JsonObject> {
    const isJsonPatch = Array.isArray(patch);
    return asObject(
      await this.request("PATCH", await this.objectPath(ref), {
        ...(fieldManager === undefined ? {} : { query: { fieldManager } }),
        body: isJsonPatch ? [...(patch as readonly JsonObject[])] : (patch as JsonObject),
        contentType: isJsonPatch ? "application/json-patch+json" : "application/strategic-merge-patch+json",
      }),
    );
  }

  /** DELETE; false when the object was already gone. */
  async delete(ref: ObjectRef, propagationPolicy: PropagationPolicy): Promise<boolean> {
    try {
      await this.request("DELETE", await this.objectPath(ref), { query: { propagationPolicy } });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async list(gvk: GroupVersionKind, namespace: string | undefined, labelSelector?: string): Promise<JsonObject[]> {
    const query: Record<string, string> = labelSelector === undefined ? {} : { labelSelector };
    const list = asObject(await this.request("GET", await this.collectionPath(gvk, namespace), { query }));
    const items = list["items"];
    return Array.isArray(items) ? items.map(asObject) : [];
  }

  /** Whether objects of this kind live in a namespace. */
  async isNamespaced(gvk: GroupVersionKind): Promise<boolean> {
    return (await this.resourceFor(gvk)).namespaced;
  }

  private async objectPath(ref: ObjectRef): Promise<string> {
    return `${await this.collectionPath(ref, ref.namespace)}/${encodeURIComponent(ref.name)}`;
  }

  private async collectionPath(gvk: GroupVersionKind, namespace: string | undefined): Promise<string> {
    const resource = await this.resourceFor(gvk);
    const root = gvk.apiVersion.includes("/") ? `/apis/${gvk.apiVersion}` : `/api/${gvk.apiVersion}`;
    if (!resource.namespaced) return `${root}/${resource.name}`;
    return `${root}/namespaces/${encodeURIComponent(namespace ?? "default")}/${resource.name}`;
  }

  private async resourceFor(gvk: GroupVersionKind): Promise<ApiResource> {
    const found = (await this.discover(gvk.apiVersion, false)).find((r) => r.kind === gvk.kind);
    if (found !== undefined) return found;
    // A CRD may have been installed since the last look.
    const again = (await this.discover(gvk.apiVersion, true)).find((r) => r.kind === gvk.kind);
    if (again === undefined) throw new NoMatchError(gvk);
    return again;
  }

  private discover(apiVersion: string, refresh: boolean): Promise<ApiResource[]> {
    const cached = this.discovery.get(apiVersion);
    if (cached !== undefined && !refresh) return cached;
    const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const loading = this.request("GET", path)
      .then((list) => {
        const resources = asObject(list)["resources"];
        return (Array.isArray(resources) ? resources : [])
          .map(asObject)
          .filter((r) => typeof r["name"] === "string" && !String(r["name"]).includes("/"))
          .map((r) => ({ name: String(r["name"]), kind: String(r["kind"]), namespaced: r["namespaced"] === true }));
      })
      .catch((error: unknown) => {
        this.discovery.delete(apiVersion);
        if (isNotFound(error)) return [];
        throw error;
      });
    this.discovery.set(apiVersion, loading);
    return loading;
  }

  private async request(
    method: string,
    path: string,
    options: { readonly query?: Record<string, string>; readonly body?: Json; readonly contentType?: string } = {},
  ): Promise<Json> {
    const url = new URL(this.server.replace(/\/+$/, "") + path);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    const requestOptions: https.RequestOptions = { method, headers: {} };
    try {
      // Credentials, CA and client certificate from the kubeconfig (exec plugins run here).
      await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    } catch (error) {
      throw new ClusterUnreachableError(
        `cannot use the kubeconfig from ${this.source} for ${this.server}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const given = requestOptions.headers;
    const headers: http.OutgoingHttpHeaders = { ...(isRecord(given) ? (given as http.OutgoingHttpHeaders) : {}), Accept: "application/json" };
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (body !== undefined) {
      headers["Content-Type"] = options.contentType ?? "application/json";
      headers["Content-Length"] = Buffer.byteLength(body);
    }
    requestOptions.headers = headers;
    const transport = url.protocol === "http:" ? http : https;

    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = transport.request(url, requestOptions, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.on("socket", (socket) => {
        if (!socket.connecting) return; // a kept-alive connection
        const timer = setTimeout(() => {
          req.destroy(new Error(`no connection within ${String(this.connectTimeoutMs)} ms`));
        }, this.connectTimeoutMs);
        const clear = (): void => clearTimeout(timer);
        socket.once("connect", clear);
        socket.once("secureConnect", clear);
        socket.once("close", clear);
      });
      req.setTimeout(REQUEST_IDLE_TIMEOUT_MS, () => {
        req.destroy(new Error(`no answer within ${String(REQUEST_IDLE_TIMEOUT_MS / 1000)} s`));
      });
      req.on("error", (error) => {
        reject(
          new ClusterUnreachableError(
            `configured Kubernetes cluster is unreachable: cannot reach the Kubernetes API server at ${this.server} ` +
              `(from ${this.source}): ${error.message}`,
            { cause: error },
          ),
        );
      });
      if (body !== undefined) req.write(body);
      req.end();
    });

    const parsed = parseBody(text);
    if (status >= 200 && status < 300) return parsed;
    const statusObject = asObject(parsed);
    const message = typeof statusObject["message"] === "string" ? statusObject["message"] : text.slice(0, 500) || `HTTP ${String(status)}`;
    const reason = typeof statusObject["reason"] === "string" ? statusObject["reason"] : "";
    throw new KubeApiError(status, reason, message);
  }
}

function parseBody(text: string): Json {
  if (text === "") return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return isRecord(parsed) || Array.isArray(parsed) ? (parsed as Json) : {};
  } catch {
    return { message: text.slice(0, 500) };
  }
}
