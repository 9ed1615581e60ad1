// Who a notice says runs the deployment: SAFE_DEPLOY_WHO when set (a CI job
// names its actor), else the user this process runs as.
import { userInfo } from "node:os";

export function defaultWho(env: Readonly<Record<string, string | undefined>>): string {
  if (env.SAFE_DEPLOY_WHO !== undefined && env.SAFE_DEPLOY_WHO !== "") return env.SAFE_DEPLOY_WHO;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? "unknown";
  }
}
