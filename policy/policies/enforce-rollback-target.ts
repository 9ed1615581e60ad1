// Every service an update brings a new version into traffic for has
// somewhere to go back to: the stack outputs name a rollback target (and the
// commands that reach it) for it. A change with no way back turns the first
// bad minute into an incident. A service deployed for the first time has
// nothing to return to and passes; so does one whose traffic goes only to
// versions that served before its release (an aborted canary, a retired
// standby, a rollback), and one the update leaves as it was.
import type { StackValidationPolicy } from "@pulumi/policy";
import { currentServices, previousLive, previousRecord, servingVersions } from "../lib/stack-record";

/** Where each strategy's rollback target comes from in safe-deploy's stack config. */
const HOW_TO_FIX: Readonly<Record<string, string>> = {
  rolling: "set previousVersion to the version that ran before",
  "blue-green": "keep the other slot's version deployed (blueVersion/greenVersion) as the standby",
  canary: "keep the stable track on the previous version while the canary has traffic",
};

export const enforceRollbackTarget: StackValidationPolicy = {
  name: "enforce-rollback-target",
  description:
    "Every service whose release brings a version into traffic that did not serve before has a rollback target in the stack outputs (services.<name>.rollbackTarget); a service deployed for the first time, or taking traffic back to versions that served before (an aborted canary), passes. " +
    "Fix: keep the previous version reachable (rolling: previousVersion; blue-green: the standby slot's version; canary: the stable track).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const services = currentServices(args);
    if (services === undefined) args.notApplicable("the stack has no `services` output naming each service's rollback target");
    else if (!services.known) args.notApplicable(`the stack's \`services\` output, which names each service's rollback target, does not read: ${services.reason}`);
    const record = previousRecord(args);
    for (const [name, service] of Object.entries(services?.known === true ? services.value : {})) {
      if (service.rollbackTarget !== null && service.rollbackTarget !== "") continue;
      const before = previousLive(record, name);
      const served = servingVersions(before);
      const brought = servingVersions(service.live).filter((version) => !served.includes(version));
      if (record.known && (before === undefined || brought.length === 0)) continue;
      const fix = HOW_TO_FIX[service.strategy];
      const change = record.known
        ? `its release brings ${brought.join(", ")} into traffic`
        : "the stack keeps no record of what served before (a DeploymentRecord with `from`), so its release may bring a new version into traffic";
      report(
        `Service '${name}' has no rollback target (services.${name}.rollbackTarget is empty) and ${change}: if the new version misbehaves there is no one-command way back. ` +
          `${fix === undefined ? "Keep the previous version reachable" : `Fix: ${fix}`} (in safe-deploy: services.${name}).`,
      );
    }
  },
};
