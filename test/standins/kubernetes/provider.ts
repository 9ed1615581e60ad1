// The Kubernetes stand-in's provider: check, diff, create, read, update and
// delete for any Kubernetes object, as pulumi-kubernetes 4.34.2 does them in
// its default server-side-apply mode. See ../README.md for each behaviour and
// where it is documented.
//
// The cluster is the one KUBECONFIG names (the real provider's fallback when
// no kubeconfig is configured): a provider served by `main()` never sees
// Configure's variables, so an explicit `k8s.Provider`'s kubeconfig,
// context or default namespace cannot reach it.
import type * as provider from "@pulumi/pulumi/provider";
import { logged } from "../shared/call-log";
import { asObject, toJson, type JsonObject } from "../shared/json";
import { unwrapSecrets, wrapSecretPaths } from "../shared/secrets";
import { parseUrn } from "../shared/urn";
import { annotation, PATCH_FIELD_MANAGER, patchForce, upsertExistingObjects } from "./annotations";
import { awaitDeleted, awaitReady, NotReadyError, type AwaitOptions } from "./await";
import { alwaysSecret, makeCheckpoint, parseCheckpoint, pruneLive } from "./checkpoint";
import { ClusterClient, KubeApiError, NoMatchError, isNotFound, type ClusterClientOptions } from "./cluster-client";
import { diffObject, normalizeInputs, withoutReadOnlyMetadata } from "./diff";
import { creationFailed, messageOf, ResourceInitError, updateFailed } from "./errors";
import { takeOverPatch } from "./field-managers";
import { checkObject } from "./naming";
import { describe, gvkFromTypeToken, objectId, parseObjectId, refOf, type GroupVersionKind, type ObjectRef } from "./object-ref";
import { REVISION_ANNOTATION } from "./readiness";

/** The version @pulumi/kubernetes 4.34.2 asks the engine for. */
export const KUBERNETES_PROVIDER_VERSION = "4.34.2";
const PLUGIN = "kubernetes";
/**
 * The field manager of a new object's create and later applies, kept in its
 * state: the static name the real provider used when measured (not the
 * per-object `pulumi-kubernetes-<hex>` of older versions).
 */
export const FIELD_MANAGER = "pulumi-kubernetes";

export interface KubernetesProviderOptions extends ClusterClientOptions {
  readonly await?: AwaitOptions;
  /** Retries of a create refused with NotFound/NoMatch (a namespace or CRD not there yet). @default 5 */
  readonly createRetries?: number;
}

export function kubernetesProvider(options: KubernetesProviderOptions = {}): provider.Provider {
  let client: Promise<ClusterClient> | undefined;
  const cluster = (): Promise<ClusterClient> => (client ??= ClusterClient.load(options));
  const cancelled = new AbortController();
  const awaitOptions: AwaitOptions = { ...options.await, signal: cancelled.signal };

  return {
    version: KUBERNETES_PROVIDER_VERSION,

    check: (urn, olds: unknown, news: unknown) =>
      logged(PLUGIN, "check", urn, () => {
        const { type, name } = parseUrn(urn);
        return Promise.resolve({ inputs: checkObject(name, gvkFromTypeToken(type), toJson(olds), toJson(news)) });
      }),

    diff: (_id, urn, olds: unknown, news: unknown) =>
      logged(PLUGIN, "diff", urn, () => {
        const diff = diffObject(olds, toJson(news), gvkOf(urn, news));
        return Promise.resolve({
          changes: diff.changes,
          replaces: [...diff.replaces],
          deleteBeforeReplace: diff.deleteBeforeReplace,
        });
      }),

    create: (urn, inputs: unknown) =>
      logged(PLUGIN, "create", urn, async () => {
        const { value: object, secretPaths } = unwrapSecrets(toJson(inputs));
        const ref = refOf(object, gvkOf(urn, object));
        const id = objectId(ref);
        const fieldManager = annotation(object, PATCH_FIELD_MANAGER) ?? FIELD_MANAGER;
        const api = await cluster();
        let created: JsonObject;
        try {
          created = await createWithRetries(api, object, ref, fieldManager, options.createRetries ?? 5);
        } catch (error) {
          throw creationFailed(id, error);
        }
        const checkpoint = (live: JsonObject): JsonObject =>
          makeCheckpoint({ inputs: object, live, secretPaths, initialApiVersion: ref.apiVersion, fieldManager });
        try {
          await awaitReady(api, ref, object, awaitOptions);
        } catch (error) {
          if (!(error instanceof NotReadyError)) throw error;
          throw new ResourceInitError(
            `resource ${id} was successfully created, but the Kubernetes API server reported that it failed to fully ` +
              `initialize or become live: ${error.message}`,
            id,
            checkpoint(error.live ?? created),
          );
        }
        const live = (await api.get(ref)) ?? created;
        // The ID names the namespace the object landed in, "default" when the inputs gave none.
        return { id: objectId(refOf(live, ref)), outs: checkpoint(live) };
      }),

    read: (id, urn, props: unknown) =>
      logged(PLUGIN, "read", urn, async () => {
        const old = parseCheckpoint(props);
        const ref: ObjectRef = { ...gvkOf(urn, old.live), ...parseObjectId(id) };
        let live: JsonObject | undefined;
        try {
          live = await (await cluster()).get(ref);
        } catch (error) {
          // A custom resource whose CRD is gone is gone too.
          if (error instanceof NoMatchError) live = undefined;
          else throw error;
        }
        if (live === undefined) return { id: "", props: {} };
        // As the real provider does on refresh: the live object in the shape of the last inputs.
        const inputs = Object.keys(old.inputs).length > 0 ? pruneLive(live, normalizeInputs(old.inputs)) : inputsFromLive(live);
        const outs = makeCheckpoint({
          inputs,
          live,
          secretPaths: old.secretPaths,
          initialApiVersion: old.initialApiVersion ?? ref.apiVersion,
          fieldManager: old.fieldManager ?? FIELD_MANAGER,
        });
        return { id, props: outs, inputs: wrapSecretPaths(inputs, [...old.secretPaths, ...alwaysSecret(live)]) };
      }),

    update: (id, urn, olds: unknown, news: unknown) =>
      logged(PLUGIN, "update", urn, async () => {
        const old = parseCheckpoint(olds);
        const { value: object, secretPaths } = unwrapSecrets(toJson(news));
        const ref = refOf(object, gvkOf(urn, object));
        // A name an older checkpoint recorded (e.g. "pulumi-kubernetes-<hex>") is kept, as the real provider keeps it.
        const fieldManager = annotation(object, PATCH_FIELD_MANAGER) ?? old.fieldManager ?? FIELD_MANAGER;
        const api = await cluster();
        try {
          const before = await api.get(ref);
          if (before === undefined) {
            throw new Error(`${describe(ref)} does not exist in the cluster (deleted outside Pulumi? \`pulumi refresh\` forgets it)`);
          }
          const takeOver = takeOverPatch(before, fieldManager);
          if (takeOver !== undefined) await api.patch(ref, takeOver);
          await api.apply(object, ref, fieldManager, patchForce(object));
        } catch (error) {
          throw updateFailed(id, error);
        }
        const checkpoint = (live: JsonObject): JsonObject =>
          makeCheckpoint({ inputs: object, live, secretPaths, initialApiVersion: old.initialApiVersion ?? ref.apiVersion, fieldManager });
        try {
          await awaitReady(api, ref, object, awaitOptions);
        } catch (error) {
          if (!(error instanceof NotReadyError)) throw error;
          const live = error.live ?? (await api.get(ref)) ?? old.live;
          throw new ResourceInitError(
            `the Kubernetes API server reported that "${objectId(ref)}" failed to fully initialize or become live: ${error.message}`,
            objectId(ref),
            checkpoint(live),
          );
        }
        const live = await api.get(ref);
        if (live === undefined) throw new Error(`${describe(ref)} disappeared right after it was updated`);
        return { outs: checkpoint(live) };
      }),

    delete: (id, urn, props: unknown) =>
      logged(PLUGIN, "delete", urn, async () => {
        const old = parseCheckpoint(props);
        const ref: ObjectRef = { ...gvkOf(urn, old.live), ...parseObjectId(id) };
        const api = await cluster();
        try {
          // Foreground: the object stays until its Pods (and ReplicaSets) are gone, so "deleted" means deleted.
          const existed = await api.delete(ref, "Foreground");
          if (!existed) return;
        } catch (error) {
          if (error instanceof NoMatchError || isNotFound(error)) return;
          throw new Error(`deleting ${describe(ref)} failed: ${messageOf(error)}`);
        }
        await awaitDeleted(api, ref, old.inputs, awaitOptions);
      }),

    cancel: () => {
      cancelled.abort();
      return Promise.resolve();
    },
  };
}

/** The type token decides the kind; the object's own apiVersion (if any) the version. */
function gvkOf(urn: string, object: unknown): GroupVersionKind {
  const fromToken = gvkFromTypeToken(parseUrn(urn).type);
  const given = asObject(object);
  return {
    apiVersion: typeof given["apiVersion"] === "string" ? given["apiVersion"] : fromToken.apiVersion,
    kind: typeof given["kind"] === "string" ? given["kind"] : fromToken.kind,
  };
}


async function createWithRetries(api: ClusterClient, object: JsonObject, ref: ObjectRef, fieldManager: string, retries: number): Promise<JsonObject> {
  for (let attempt = 0; ; attempt++) {
    try {
      if (upsertExistingObjects()) {
        // Upsert: an object that exists is adopted in place, by the same server-side apply an update makes.
        const existing = await api.get(ref);
        if (existing !== undefined) {
          const takeOver = takeOverPatch(existing, fieldManager);
          if (takeOver !== undefined) await api.patch(ref, takeOver);
          return await api.apply(object, ref, fieldManager, patchForce(object));
        }
      }
      return await api.create(object, ref, fieldManager);
    } catch (error) {
      // A namespace or CRD created a moment later by the same update: try again, as the real provider does.
      const retryable = error instanceof NoMatchError || (error instanceof KubeApiError && error.status === 404);
      if (!retryable || attempt >= retries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    }
  }
}

/** Inputs for an object read without any (import, `.get`): the live object minus what the server fills in. */
function inputsFromLive(live: JsonObject): JsonObject {
  const { status: _status, ...inputs } = withoutReadOnlyMetadata(live);
  const metadata = { ...asObject(inputs["metadata"]) };
  const annotations = { ...asObject(metadata["annotations"]) };
  delete annotations[REVISION_ANNOTATION];
  delete annotations["kubectl.kubernetes.io/last-applied-configuration"];
  if (Object.keys(annotations).length > 0) metadata["annotations"] = annotations;
  else delete metadata["annotations"];
  return { ...inputs, metadata };
}
