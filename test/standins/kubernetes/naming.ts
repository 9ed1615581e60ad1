// Check: the inputs as the engine sent them, with apiVersion and kind filled in
// from the type token, and a name for objects the program left unnamed. Like
// the real provider, an unnamed object gets `<resource name>-<8 hex>` and the
// `pulumi.com/autonamed: "true"` annotation, and keeps that name on later
// updates. (The real provider derives the suffix from the engine's random
// seed; `main()` does not pass the seed, so this one uses crypto random.)
import { randomBytes } from "node:crypto";
import { asObject, isRecord, stringAt, type JsonObject } from "../shared/json";
import { isSecretEnvelope } from "../shared/secrets";
import { AUTONAMED, isAutonamed } from "./annotations";
import type { GroupVersionKind } from "./object-ref";

export function checkObject(resourceName: string, gvk: GroupVersionKind, olds: JsonObject, news: JsonObject): JsonObject {
  const checked: JsonObject = { ...news };
  checked["apiVersion"] ??= gvk.apiVersion;
  checked["kind"] ??= gvk.kind;
  const metadataValue = checked["metadata"];
  if (isSecretEnvelope(metadataValue)) return checked;
  const metadata: JsonObject = { ...asObject(metadataValue) };
  const name = metadata["name"];
  if (name !== undefined && name !== null && name !== "") return checked;

  const oldName = stringAt(olds, "metadata", "name");
  metadata["name"] = oldName !== undefined && isAutonamed(olds) ? oldName : `${resourceName}-${randomBytes(4).toString("hex")}`;
  const annotations = isRecord(metadata["annotations"]) ? { ...asObject(metadata["annotations"]) } : {};
  annotations[AUTONAMED] = "true";
  metadata["annotations"] = annotations;
  checked["metadata"] = metadata;
  return checked;
}
