// Every container image names exactly what runs: a digest, or a tag that is
// the version the object declares. `:latest` (or no tag, which means latest)
// changes under a running Deployment at the next pull, so a rollback would not
// return to what ran before, and two pods of one Deployment may run different code.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, LABELS, podLabel, podTemplate, POD_BEARING } from "../lib/kubernetes";
import { validateKubernetes } from "../lib/validate";
import { at, str, UNKNOWN } from "../lib/values";

export interface ImageReference {
  readonly repository: string;
  /** @default - no tag */
  readonly tag?: string;
  /** @default - no digest */
  readonly digest?: string;
}

/** Splits `registry:5000/shop/api:v1@sha256:...` into repository, tag and digest. */
export function parseImage(image: string): ImageReference {
  const atSign = image.indexOf("@");
  const digest = atSign < 0 ? undefined : image.slice(atSign + 1);
  const named = atSign < 0 ? image : image.slice(0, atSign);
  const slash = named.lastIndexOf("/");
  const colon = named.indexOf(":", slash + 1);
  const repository = colon < 0 ? named : named.slice(0, colon);
  const tag = colon < 0 ? undefined : named.slice(colon + 1);
  return { repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

export const disallowUnpinnedImages: ResourceValidationPolicy = {
  name: "disallow-unpinned-images",
  description:
    "Container images must be pinned: a digest, or a tag equal to the object's app.kubernetes.io/version label; never ':latest' or no tag. " +
    "Fix: deploy the image tagged with the version the object declares (in safe-deploy the version is the tag), or pin it by digest.",
  enforcementLevel: "mandatory",
  validateResource: validateKubernetes(POD_BEARING, (object, _args, report) => {
    const template = podTemplate(object.type, object.props);
    const list = containers(template, { init: true });
    if (list === UNKNOWN) return;
    const version = podLabel(object.type, object.props, LABELS.version);
    const appName = podLabel(object.type, object.props, LABELS.name);
    // The application's container carries the declared version: the one named after the app, else the first.
    const mains = list.filter((c) => c.list === "containers" && c.name === appName);
    const main = mains[0] ?? list.find((c) => c.list === "containers");
    for (const ref of list) {
      const image = str(at(ref.container, "image"));
      if (image === UNKNOWN) continue;
      const where = `${object.label}, container '${ref.name}'`;
      if (image === undefined || image === "") {
        report(`${where} names no image; name one pinned to a version tag or a digest.`);
        continue;
      }
      const parsed = parseImage(image);
      if (parsed.digest !== undefined) continue;
      if (parsed.tag === undefined || parsed.tag === "latest") {
        const why = parsed.tag === undefined ? "has no tag, which means ':latest'" : "uses ':latest'";
        report(
          `${where}: image '${image}' ${why}, which can change under running pods, so a rollback would not return to what ran. ` +
            `Pin it: '${parsed.repository}:<version>' or '${parsed.repository}@sha256:<digest>'.`,
        );
        continue;
      }
      if (ref !== main || version === UNKNOWN) continue;
      if (version === undefined) {
        report(
          `${where}: image '${image}' is tagged but the object declares no '${LABELS.version}' label, so nothing says which version runs. ` +
            `Label the pod template '${LABELS.version}: ${parsed.tag}', or pin the image by digest.`,
        );
      } else if (parsed.tag !== version) {
        report(
          `${where}: image tag '${parsed.tag}' differs from the declared version '${version}' (label '${LABELS.version}'), ` +
            `so the outputs, the rollback commands and what runs disagree. Deploy '${parsed.repository}:${version}', or correct the label.`,
        );
      }
    }
  }),
};
