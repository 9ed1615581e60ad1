import { describe, expect, it } from "vitest";
import { disallowUnpinnedImages, parseImage } from "../../policy/policies/disallow-unpinned-images";
import { deployment, edited, migrationJob, REMOVE, T } from "./fixtures";
import { judgeResource } from "./support/judge";
import { UNKNOWN_ON_THE_WIRE } from "./support/sdk";

const IMAGE = ["spec", "template", "spec", "containers", 0, "image"] as const;
const judge = (props: Record<string, unknown>, type: string = T.deployment) => judgeResource(disallowUnpinnedImages, { type, props });

describe("disallow-unpinned-images", () => {
  it.each([
    ["registry.example.com/shop/user-api:v2.4.0", { repository: "registry.example.com/shop/user-api", tag: "v2.4.0" }],
    ["registry:5000/shop/api", { repository: "registry:5000/shop/api" }],
    ["registry:5000/shop/api:v1@sha256:abc", { repository: "registry:5000/shop/api", tag: "v1", digest: "sha256:abc" }],
    ["nginx@sha256:abc", { repository: "nginx", digest: "sha256:abc" }],
  ])("parses %s", (image, expected) => {
    expect(parseImage(image)).toEqual(expected);
  });

  it("passes a Deployment whose image tag is its declared version", async () => {
    expect(await judge(deployment())).toEqual({ violations: [] });
  });

  it("passes a migration Job tagged with the version it migrates to", async () => {
    expect(await judge(migrationJob(), T.job)).toEqual({ violations: [] });
  });

  it("passes an image pinned by digest whatever the version label", async () => {
    expect(await judge(edited(deployment(), IMAGE, "registry.example.com/shop/user-api@sha256:0123"))).toEqual({ violations: [] });
  });

  it("refuses ':latest', naming the object, the container and the pinned form", async () => {
    const { violations } = await judge(edited(deployment(), IMAGE, "registry.example.com/shop/user-api:latest"));
    expect(violations).toEqual([
      "Deployment production/user-api, container 'user-api': image 'registry.example.com/shop/user-api:latest' uses ':latest', which can change under running pods, so a rollback would not return to what ran. " +
        "Pin it: 'registry.example.com/shop/user-api:<version>' or 'registry.example.com/shop/user-api@sha256:<digest>'.",
    ]);
  });

  it("refuses an image without a tag, which means latest", async () => {
    const { violations } = await judge(edited(deployment(), IMAGE, "registry.example.com/shop/user-api"));
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("has no tag, which means ':latest'");
  });

  it("refuses a tag that differs from the declared app.kubernetes.io/version", async () => {
    const { violations } = await judge(edited(deployment(), IMAGE, "registry.example.com/shop/user-api:v2.3.1"));
    expect(violations).toEqual([
      "Deployment production/user-api, container 'user-api': image tag 'v2.3.1' differs from the declared version 'v2.4.0' (label 'app.kubernetes.io/version'), " +
        "so the outputs, the rollback commands and what runs disagree. Deploy 'registry.example.com/shop/user-api:v2.4.0', or correct the label.",
    ]);
  });

  it("refuses a tagged image when the object declares no version", async () => {
    const unlabelled = edited(edited(deployment(), ["spec", "template", "metadata", "labels", "app.kubernetes.io/version"], REMOVE), ["metadata", "labels", "app.kubernetes.io/version"], REMOVE);
    const { violations } = await judge(unlabelled);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("declares no 'app.kubernetes.io/version' label");
  });

  it("refuses ':latest' on an init container too", async () => {
    const withInit = edited(deployment(), ["spec", "template", "spec", "initContainers"], [{ name: "warm-cache", image: "busybox:latest" }]);
    const { violations } = await judge(withInit);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain("container 'warm-cache': image 'busybox:latest' uses ':latest'");
  });

  it("lets a sidecar keep its own pinned tag", async () => {
    const sidecar = { name: "proxy", image: "envoyproxy/envoy:v1.31.0" };
    expect(await judge(edited(deployment(), ["spec", "template", "spec", "containers", 1], sidecar))).toEqual({ violations: [] });
  });

  it("tolerates an image preview cannot know yet", async () => {
    expect(await judge(edited(deployment(), IMAGE, UNKNOWN_ON_THE_WIRE))).toEqual({ violations: [] });
  });

  it("ignores objects without pods", async () => {
    expect(await judge({ metadata: { name: "user-api" }, spec: { selector: { app: "user-api" } } }, T.service)).toEqual({ violations: [] });
  });
});
