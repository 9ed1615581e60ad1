// The per-service PromQL templates of the canary analysis: `{{name}}`
// placeholders filled with the service's app label, a track's version label,
// the namespace and the window, quoted for a PromQL string where they sit in one.

/** The placeholders a query may use. */
export const QUERY_PLACEHOLDERS = ["app", "version", "namespace", "interval"] as const;
export type QueryPlaceholder = (typeof QUERY_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholder names a template uses, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ""))];
}

/**
 * The query with every placeholder filled. Values go inside PromQL string
 * literals in the templates (`app="{{app}}"`), so backslashes and quotes are
 * escaped: a label value can never end the string early.
 */
export function renderQuery(template: string, values: Readonly<Record<QueryPlaceholder, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = (values as Readonly<Record<string, string>>)[name];
    if (value === undefined) throw new Error(`unknown placeholder ${whole} in query '${template}'`);
    return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  });
}

/** A duration as PromQL writes it: `30s`. */
export function promDuration(seconds: number): string {
  return `${Math.round(seconds)}s`;
}
