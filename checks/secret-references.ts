// Secrets in critical requests: a header value or a string body may say `${NAME}`, which the
// checker fills in from the environment variable NAME (what a Pulumi command step passes as a
// secret). The requests themselves, and every report, carry only the reference.

/** `${NAME}`: an upper-case environment variable name. */
export const SECRET_REFERENCE = /\$\{([A-Z][A-Z0-9_]*)\}/;
const ALL_REFERENCES = new RegExp(SECRET_REFERENCE.source, "g");

/** The names `text` refers to, in order, without repeats. */
export function secretReferences(text: string): string[] {
  return [...new Set([...text.matchAll(ALL_REFERENCES)].map((match) => match[1] ?? ""))];
}

/** `text` with each reference replaced by its value; throws naming (never quoting) a missing one. */
export function fillSecrets(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(ALL_REFERENCES, (_reference, name: string) => {
    const value = env[name];
    if (value === undefined || value === "") throw new Error(`\${${name}} is used by a critical request but the environment variable ${name} is not set`);
    return value;
  });
}
