// rollback-target-known: every service the update changes names a version to
// go back to, as the update's own config declares it, unless what it deploys
// took traffic before (an aborted canary's stable track).
import { configKeyPath } from "../../config/load";
import type { ItemResult } from "../item";
import { fail, pass } from "../results";

export function decideRollbackTarget(service: { readonly name: string; readonly version: string; readonly rollbackVersion?: string | undefined; readonly servedBefore?: boolean | undefined }): ItemResult {
  const item = "rollback-target-known";
  const source = `config ${configKeyPath(["services", service.name])}`;
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
