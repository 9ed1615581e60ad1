// The pre-deployment checklist end to end: the real engine runs the program
// for a staging and a production stack that share one backend (so
// production's staging-first reads staging's real outputs), the real policy
// pack judges the DeploymentRecord under policy/config/production.json, and
// the record is read back from the local cluster. The program's clock is
// the harness's (ProgramOptions.now), so the window can be open or shut.
import * as fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandLine } from "../../tools/rehearsal/command-line";
import type { EngineStack } from "../../tools/rehearsal/engine";
import { LOCAL_WAIVERS, REHEARSAL_ACTOR, localChecklist } from "../../tools/rehearsal/local-checklist";
import { staleBuild } from "../policy/support/analyzer";
import { apis, changes, engineFor, onlyServices, PRODUCTION_PACK, refusal, stackOutputs, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

/** Tuesday 10:00 UTC: inside the runbook's window (weekdays 09:00-16:00, Friday until 14:00). */
const IN_WINDOW = new Date("2026-11-24T10:00:00Z");
const SATURDAY_NIGHT = new Date("2026-11-28T03:00:00Z");
const SUNDAY_LATE = new Date("2026-11-29T23:30:00Z");



/** The DeploymentRecord as the API server has it. */
async function recordInCluster(ctx: E2eContext, namespace: string) {
  const map = await (await apis(ctx.kc)).core.readNamespacedConfigMap({ name: "safe-deploy-record", namespace });
  return { data: map.data ?? {}, resourceVersion: map.metadata?.resourceVersion };
}

describe.skipIf(!toolchain.ok)("the pre-deployment checklist with the real engine, pack and cluster", () => {
  let context: E2eContext | undefined;
  let staging: EngineStack | undefined;
  let production: EngineStack | undefined;
  const clock = { now: IN_WINDOW };
  let hanging: Server | undefined;

  beforeAll(async () => {
    const stale = staleBuild();
    if (stale !== undefined) throw new Error(stale);
    context = await startE2e("checklist");
    const backendDir = path.join(context.dir, "shared-state");
    fs.mkdirSync(backendDir);
    const programOptions = { now: () => clock.now };
    const withChecklist = (edit: (config: Record<string, unknown>) => void) => (config: Record<string, unknown>) => {
      onlyServices("user-api")(config);
      edit(config);
    };
    staging = await engineFor(context, "staging", { backendDir, programOptions, editStackFile: withChecklist(localChecklist({ now: IN_WINDOW })) });
    production = await engineFor(context, "production", {
      backendDir,
      programOptions,
      editStackFile: withChecklist((config) => {
        localChecklist({ now: IN_WINDOW })(config);
        // Production keeps the runbook's window: weekdays 09:00-16:00, Friday until 14:00, UTC.
        (config["safe-deploy:checklist"] as Record<string, unknown>)["window"] = { timeZone: "UTC" };
      }),
    });
  }, 180_000);
  afterAll(async () => {
    hanging?.closeAllConnections();
    hanging?.close();
    await stopE2e(context);
  }, 60_000);

  it(
    "refuses production while staging runs another version, naming the service, both versions and the command that deploys staging; accepts it once staging runs it",
    async () => {
      await staging!.stack.setConfig("services.user-api.version", { value: "v2.3.1" }, true);
      await staging!.stack.setConfig("services.user-api.previousVersion", { value: "v2.3.0" }, true);
      expect((await staging!.stack.up({ color: "never" })).summary.result).toBe("succeeded");

      const refused = await refusal(production!.stack.preview({ color: "never", ...PRODUCTION_PACK }));

      expect(refused).toContain("enforce-pre-deployment-checklist");
      expect(refused).toContain("mandatory");
      expect(refused).toMatch(/user-api: staging-first is fail: .*v2\.3\.1.*/);
      expect(refused).toMatch(/staging-first is fail: .*v2\.4\.0/);
      expect(refused).toMatch(/pulumi up --stack staging|--stack organization\/safe-deploy\/staging/);

      // The command users type, with no pack attached: the program refuses by itself, and nothing changes.
      const plain = await refusal(runCommandLine("pulumi up --stack production --yes", production!));
      expect(plain).toContain("Refused before anything was deployed, by what policy/config/production.json makes mandatory");
      expect(plain).toMatch(/user-api: staging-first is fail: .*v2\.3\.1/);
      const state = await production!.stack.exportStack();
      expect((state.deployment.resources ?? []).filter((r: { type: string }) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes")).toEqual([]);

      await staging!.stack.setConfig("services.user-api.version", { value: "v2.4.0" }, true);
      await staging!.stack.setConfig("services.user-api.previousVersion", { value: "v2.3.1" }, true);
      expect((await staging!.stack.up({ color: "never" })).summary.result).toBe("succeeded");
      const preview = await production!.stack.preview({ color: "never", ...PRODUCTION_PACK });
      const up = await production!.stack.up({ color: "never", ...PRODUCTION_PACK });

      expect(preview.stdout).not.toMatch(/mandatory/);
      expect(up.summary.result).toBe("succeeded");
      const checklist = (await stackOutputs(production!)).checklist;
      expect(checklist.services["user-api"]?.items["staging-first"]?.status).toBe("pass");
      expect(checklist.release.items["ci-passed"]).toMatchObject({ status: "unknown", waived: { by: REHEARSAL_ACTOR, reason: LOCAL_WAIVERS["ci-passed"] } });
    },
    UP_TIMEOUT_MS * 3,
  );

  it(
    "keeps in the cluster the record the outputs show: stack, environment, who, versions, rollback commands and every item",
    async () => {
      const outputs = await stackOutputs(production!);
      const { data } = await recordInCluster(context!, "production");

      expect(data).toMatchObject({ stack: "production", environment: "production", "deployed-by": outputs.checklist.release.deployedBy, "gathered-at": outputs.checklist.release.gatheredAt });
      expect(JSON.parse(data["checklist.release"]!)).toEqual(outputs.checklist.release.items);
      const service = JSON.parse(data["service.user-api"]!) as Record<string, unknown>;
      expect(service).toMatchObject({ strategy: "rolling", version: "v2.4.0", previousVersion: "v2.3.1", rollback: { quick: outputs.services["user-api"]?.rollback?.quick } });
      expect(service["checklist"]).toEqual(outputs.checklist.services["user-api"]?.items);
    },
    UP_TIMEOUT_MS,
  );

  it(
    "changes nothing and passes on a second up with nothing changed, at any hour",
    async () => {
      const before = await recordInCluster(context!, "production");
      clock.now = SUNDAY_LATE;

      const preview = await production!.stack.preview({ color: "never", ...PRODUCTION_PACK });
      const up = await production!.stack.up({ color: "never", ...PRODUCTION_PACK });

      expect(changes(preview.changeSummary)).toEqual({});
      expect(preview.stdout).not.toMatch(/mandatory/);
      expect(changes(up.summary.resourceChanges)).toEqual({});
      expect(await recordInCluster(context!, "production")).toEqual(before);
    },
    UP_TIMEOUT_MS * 2,
  );

  it(
    "refuses a change outside the window, and accepts it with an override that the record and the outputs show",
    async () => {
      clock.now = SATURDAY_NIGHT;
      // Fresh attestations for this change (they count for 24 h), so only the window stands in the way.
      for (const key of ["onCall", "changeCommunicated", "featureFlagsReviewed"]) {
        await production!.stack.setConfig(`checklist.attestations.${key}.at`, { value: SATURDAY_NIGHT.toISOString() }, true);
      }
      await production!.stack.setConfig("services.user-api.replicas", { value: "6" }, true);

      const refused = await refusal(production!.stack.preview({ color: "never", ...PRODUCTION_PACK }));
      expect(refused).toMatch(/deployment-window is fail: /);

      await production!.stack.setConfig("checklist.override.by", { value: "carol" }, true);
      await production!.stack.setConfig("checklist.override.reason", { value: "INC-4711: the payment outage needs this fix now" }, true);
      await production!.stack.setConfig("checklist.override.at", { value: SATURDAY_NIGHT.toISOString() }, true);
      const up = await production!.stack.up({ color: "never", ...PRODUCTION_PACK });

      expect(up.summary.result).toBe("succeeded");
      const window = (await stackOutputs(production!)).checklist.release.items["deployment-window"];
      expect(window?.status).toBe("pass");
      expect(window?.reason).toContain("carol");
      expect(JSON.parse((await recordInCluster(context!, "production")).data["checklist.release"]!)["deployment-window"]).toEqual(window);
    },
    UP_TIMEOUT_MS * 2,
  );

  it(
    "makes a source that never answers `unknown` within its bound, and refuses production with that reason instead of hanging",
    async () => {
      hanging = createServer(() => {
        // Never answers.
      });
      await new Promise<void>((resolve) => hanging!.listen(0, "127.0.0.1", resolve));
      const port = (hanging.address() as AddressInfo).port;
      await production!.stack.setConfig("checklist.timeoutSeconds", { value: "1" }, true);
      await production!.stack.setConfig("checklist.alertmanager.url", { value: `http://127.0.0.1:${port}` }, true);
      await production!.stack.removeConfig("checklistWaivers.no-active-incident", true);
      await production!.stack.setConfig("services.user-api.replicas", { value: "5" }, true);

      const started = performance.now();
      const refused = await refusal(production!.stack.preview({ color: "never", ...PRODUCTION_PACK }));
      const seconds = (performance.now() - started) / 1000;

      expect(refused).toContain("no-active-incident is unknown: timed out after 1 s");
      // The whole preview (engine start, program, pack) with a 1 s bound, on two shared cores: far below a hang.
      expect(seconds).toBeLessThan(60);
    },
    UP_TIMEOUT_MS,
  );

  it(
    "lets the printed Pulumi-native rollback through outside the window, with staging ahead and a source down, recording it as a rollback",
    async () => {
      const plan = (await stackOutputs(production!)).services["user-api"]?.rollback;
      await production!.stack.removeConfig("checklist.override", true);
      // The printed line's config part, as printed; its `pulumi up` part below, with the pack.
      await runCommandLine(plan!.pulumi.split(" && ")[0]!, production!);

      const preview = await production!.stack.preview({ color: "never", ...PRODUCTION_PACK });
      const up = await production!.stack.up({ color: "never", ...PRODUCTION_PACK });

      expect(preview.stdout).not.toMatch(/mandatory/);
      expect(up.summary.result).toBe("succeeded");
      const { data } = await recordInCluster(context!, "production");
      expect(data["release-kind"]).toBe("rollback");
      expect(JSON.parse(data["service.user-api"]!)).toMatchObject({ version: "v2.3.1", rollbackOf: "v2.4.0" });
      // What held no longer is still recorded as it was: the rollback went out outside the window, and said so.
      expect(JSON.parse(data["checklist.release"]!)["deployment-window"].status).toBe("fail");
    },
    UP_TIMEOUT_MS,
  );
});
