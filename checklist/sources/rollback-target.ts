// rollback-target-known: every service the update changes names a version to
// go back to, as the update's own config declares it, unless what it deploys
// took traffic before (an aborted canary's stable track) or nothing of the
// service did (its first deployment), as enforce-rollback-target judges.
import { configKeyPath } from "../../config/load";
import type { ItemResult } from "../item";
import { fail, pass } from "../results";

export function decideRollbackTarget(service: {
  readonly name: string;
  readonly version: string;
  readonly rollbackVersion?: string | undefined;
  readonly servedBefore?: boolean | undefined;
  readonly firstDeployment?: boolean | undefined;
}): ItemResult {
  const item = "rollback-target-known";
  const source = `config ${configKeyPath(["services", service.name])}`;
  if (service.rollbackVersion === undefined && service.firstDeployment === true) {
    // As enforce-rollback-target: a service deployed for the first time has nothing to go back to; undoing it is removing it.
    return pass(item, source, `${service.name} ${service.version} is deployed here for the first time; there is no earlier version to roll back to`);
  }
  if (service.rollbackVersion === undefined && service.servedBefore === true) {
    // An aborted canary: only the stable version takes traffic, and it did before. Nothing new to go back from.
    return pass(item, source, `${service.name} ${service.version} took traffic before this update; nothing new does, so there is nothing to roll back from`);
  }
  if (service.rollbackVersion === undefined) {
    return fail(
      item,
      source,
      `${service.name} ${service.version} has no version to roll back to`,
      `declare the version now serving: rolling services.${service.name}.previousVersion, blue-green the standby slot's version, canary services.${service.name}.stableVersion`,
    );
  }
  if (service.rollbackVersion === service.version) {
    return fail(item, source, `${service.name}'s rollback target is ${service.version}, the version being deployed`, `declare the version now serving as the rollback target of ${service.name}`);
  }
  return pass(item, source, `${service.name} ${service.version} rolls back to ${service.rollbackVersion}`);
}
