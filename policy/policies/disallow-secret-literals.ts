// Credentials never sit in a pod spec as literal environment values: anyone
// who can read the Deployment (or the stack's state, or a CI log of the
// preview) would read them too. They come from a Secret, through
// `valueFrom.secretKeyRef` or `envFrom`.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containers, podTemplate, POD_BEARING } from "../lib/kubernetes";
import { configOf, validateKubernetes } from "../lib/validate";
import { at, items, str, UNKNOWN } from "../lib/values";

export interface SecretLiteralsConfig {
  /** Environment variable names (upper case) that hold secrets, as whole names or `_`-separated suffixes. */
  readonly secretNames: readonly string[];
}

export const SECRET_LITERALS_DEFAULTS: SecretLiteralsConfig = {
  secretNames: ["PASSWORD", "PASSWD", "TOKEN", "SECRET", "SECRET_KEY", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIALS", "DSN", "DATABASE_URL", "CONNECTION_STRING"],
};

/** `DB_PASSWORD` ends in `_PASSWORD`; `SENTRY_DSN` in `_DSN`; `TOKEN_TTL_SECONDS` ends in nothing secret. */
export function looksSecret(name: string, secretNames: readonly string[]): boolean {
  const upper = name.toUpperCase().replace(/-/g, "_");
  return secretNames.some((secret) => upper === secret || upper.endsWith(`_${secret}`));
}

export const disallowSecretLiterals: ResourceValidationPolicy = {
  name: "disallow-secret-literals",
  description:
    "Environment variables that hold credentials (names such as *_PASSWORD, *_TOKEN, *_SECRET, *_API_KEY, *_DSN, DATABASE_URL) take their value from a Secret, never a literal. " +
    "Fix: put the value in a Kubernetes Secret and use valueFrom.secretKeyRef or envFrom (in safe-deploy: services.<name>.envFromSecrets).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      secretNames: {
        type: "array",
        items: { type: "string", pattern: "^[A-Z0-9_]+$" },
        minItems: 1,
        default: [...SECRET_LITERALS_DEFAULTS.secretNames],
        description: "Variable names (upper case) that hold secrets, matched as the whole name or a `_` suffix.",
      },
    },
  },
  validateResource: validateKubernetes(POD_BEARING, (object, args, report) => {
    const { secretNames } = configOf(args, SECRET_LITERALS_DEFAULTS);
    const list = containers(podTemplate(object.type, object.props), { init: true });
    if (list === UNKNOWN) return;
    for (const ref of list) {
      const env = items(at(ref.container, "env"));
      if (env === UNKNOWN) continue;
      for (const entry of env) {
        const name = str(at(entry, "name"));
        const value = str(at(entry, "value"));
        if (typeof name !== "string" || typeof value !== "string" || value === "" || !looksSecret(name, secretNames)) continue;
        report(
          `${object.label}, container '${ref.name}': ${name} is set to a literal value, so anyone who can read the object, the stack's state or a preview log reads the credential. ` +
            `Put it in a Secret and use valueFrom.secretKeyRef or envFrom (in safe-deploy: envFromSecrets).`,
        );
      }
    }
  }),
};
