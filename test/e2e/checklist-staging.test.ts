// staging-first believes staging only where staging's objects got there: a
// staging update whose migration fails does not make production's release of
// that version pass, whatever staging's config now says. The real engine, a
// staging and a production stack in one backend, the pack, the local cluster.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateThrough } from "../../lib/served";
import { localChecklist } from "../../tools/rehearsal/local-checklist";
import { staleBuild } from "../policy/support/analyzer";
import { engineFor, onlyServices, PRODUCTION_PACK, refusal, stackOutputs, startE2e, stopE2e, toolchain, UP_TIMEOUT_MS, type E2eContext } from "./support";

/** Pods with this label fail (a kwok stage of tools/cluster). */
const FAIL_LABEL = "safe-deploy.dev/fail";


describe.skipIf(!toolchain.ok)("staging-first after a failed staging update", () => {
  let context: E2eContext | undefined;
  beforeAll(async () => {
    const stale = staleBuild();
    if (stale !== undefined) throw new Error(stale);
    context = await startE2e("checklist-staging");
  }, 90_000);
  afterAll(() => stopE2e(context), 60_000);

  it(
    "refuses production's v3.2.0 while staging's update to v3.2.0 failed on its migration",
    async () => {
      const ctx = context!;
      const backendDir = path.join(ctx.dir, "shared-state");
      fs.mkdirSync(backendDir);
      const edit = (config: Record<string, unknown>) => {
        onlyServices("payment-service")(config);
        localChecklist({ now: new Date() })(config);
      };
      // Staging: blue v3.1.0 live and alone, then the release of green v3.2.0, whose migration fails.
      const staging = await engineFor(ctx, "staging", { backendDir, editStackFile: edit, config: { "services.payment-service.liveSlot": "blue" } });
      await staging.stack.removeConfig("services.payment-service.greenVersion", true);
      expect((await staging.stack.up({ color: "never" })).summary.result).toBe("succeeded");
      await staging.stack.setConfig("services.payment-service.greenVersion", { value: "v3.2.0" }, true);
      await staging.stack.setConfig("services.payment-service.liveSlot", { value: "green" }, true);
      await staging.stack.setConfig("services.payment-service.migration.backoffLimit", { value: "0" }, true);
      await staging.stack.setConfig(`services.payment-service.migration.podLabels["${FAIL_LABEL}"]`, { value: "true" }, true);
      await expect(staging.stack.up({ color: "never" })).rejects.toThrow(/payment-migration-v3\.2\.0/);

      // Staging's outputs are still those of its last update that got through: blue v3.1.0, served, migrated.
      const outputs = await stackOutputs(staging);
      expect(outputs.services["payment-service"]?.live).toMatchObject({ slot: "blue", version: "v3.1.0" });
      expect(updateThrough(outputs)?.result).toBe("succeeded");

      // Production asks for green v3.2.0, as shipped.
      const production = await engineFor(ctx, "production", { backendDir, editStackFile: edit });
      const refused = await refusal(production.stack.preview({ color: "never", ...PRODUCTION_PACK }));

      expect(refused).toContain("enforce-pre-deployment-checklist");
      expect(refused).toContain("payment-service: staging-first is fail: staging runs payment-service v3.1.0 (live slot blue); production asks for v3.2.0");
    },
    UP_TIMEOUT_MS * 3,
  );
});
