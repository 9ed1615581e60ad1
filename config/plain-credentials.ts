// Credentials must be Pulumi secrets: one set without `--secret` sits in the
// stack file in plain text, and in every copy of it. The engine tells the
// program which top-level keys hold a secret (`pulumi.runtime.isConfigSecret`),
// not which part of a structured key: a `checklist` with one secret part counts
// as secret as a whole, so a token set in plain text beside a secret password
// is not seen. Refused before anything is deployed, naming the key and the
// command that sets it as a secret.
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "./load";
import type { StackConfig } from "./schema";

interface Credential {
  /** The top-level key the engine marks secret or not. */
  readonly key: string;
  /** The `--path` a user types for it. */
  readonly path: string;
  readonly what: string;
}

/** The credentials this config sets. */
export function credentialsIn(config: StackConfig): Credential[] {
  const found: Credential[] = [];
  if (config.webhookUrl !== undefined) found.push({ key: "webhookUrl", path: "webhookUrl", what: "the webhook URL (it carries the receiver's token)" });
  for (const name of Object.keys(config.checkSecrets)) found.push({ key: "checkSecrets", path: `checkSecrets.${name}`, what: `the check secret ${name}` });
  if (config.checklist?.github?.token !== undefined) found.push({ key: "checklist", path: "checklist.github.token", what: "the GitHub token" });
  if (config.checklist?.registry?.password !== undefined) found.push({ key: "checklist", path: "checklist.registry.password", what: "the registry password" });
  if (config.checklist?.registry?.token !== undefined) found.push({ key: "checklist", path: "checklist.registry.token", what: "the registry token" });
  return found;
}

/** One problem per credential whose key the engine does not hold as a secret. */
export function plainCredentialProblems(config: StackConfig, isSecret: (key: string) => boolean, stack: string): string[] {
  return credentialsIn(config)
    .filter((credential) => !isSecret(`${CONFIG_NAMESPACE}:${credential.key}`))
    .map(
      (credential) =>
        // No value on the line: the CLI reads it from the terminal or stdin, so it stays out of shell history.
        `${CONFIG_NAMESPACE}:${credential.path}: ${credential.what} is stored in plain text; set it as a secret (the command reads the value): ` +
        `pulumi config set --secret --path '${credential.path}' --stack ${stack}`,
    );
}

/** Which top-level config keys hold a secret, as the engine told the program. */
export function isConfigSecret(key: string): boolean {
  // Exported by @pulumi/pulumi's runtime/config.js but marked @internal, so absent from its typings.
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  if (runtime.isConfigSecret === undefined) throw new Error("this @pulumi/pulumi does not tell which config keys are secret; safe-deploy needs pulumi.runtime.isConfigSecret");
  return runtime.isConfigSecret(key);
}
