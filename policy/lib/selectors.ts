// Label selectors as Kubernetes evaluates them, over labels that may be
// unknown during preview.
import { at, items, str, stringMap, UNKNOWN, type Unknown } from "./values";

/** Does `selector` (matchLabels and matchExpressions) select pods with `labels`? UNKNOWN when preview cannot tell. */
export function selects(selector: unknown, labels: Map<string, string | Unknown> | Unknown): boolean | Unknown {
  if (selector === UNKNOWN || labels === UNKNOWN) return UNKNOWN;
  if (selector === undefined || selector === null) return false;
  const matchLabels = stringMap(at(selector, "matchLabels"));
  const expressions = items(at(selector, "matchExpressions"));
  if (matchLabels === UNKNOWN || expressions === UNKNOWN) return UNKNOWN;
  // An empty selector (`{}`) selects every pod in the namespace, as a policy/v1 PodDisruptionBudget's does.
  let unknown = false;
  for (const [key, value] of matchLabels) {
    const label = labels.get(key);
    if (value === UNKNOWN || label === UNKNOWN) unknown = true;
    else if (label !== value) return false;
  }
  for (const expression of expressions) {
    const key = str(at(expression, "key"));
    const operator = str(at(expression, "operator"));
    const values = items(at(expression, "values"));
    if (key === UNKNOWN || operator === UNKNOWN || values === UNKNOWN || key === undefined) {
      unknown = true;
      continue;
    }
    const label = labels.get(key);
    if (label === UNKNOWN) {
      unknown = true;
      continue;
    }
    const listed = values.map(str);
    if (listed.includes(UNKNOWN)) {
      unknown = true;
      continue;
    }
    const matches =
      operator === "In" ? label !== undefined && listed.includes(label)
      : operator === "NotIn" ? label === undefined || !listed.includes(label)
      : operator === "Exists" ? label !== undefined
      : operator === "DoesNotExist" ? label === undefined
      : false;
    if (!matches) return false;
  }
  return unknown ? UNKNOWN : true;
}

/** A Service's selector (a plain map) as Kubernetes applies it: every key must match; an empty selector selects nothing by itself. */
export function serviceSelects(selector: Map<string, string | Unknown> | Unknown, labels: Map<string, string | Unknown> | Unknown): boolean | Unknown {
  if (selector === UNKNOWN || labels === UNKNOWN) return UNKNOWN;
  if (selector.size === 0) return false;
  let unknown = false;
  for (const [key, value] of selector) {
    const label = labels.get(key);
    if (value === UNKNOWN || label === UNKNOWN) unknown = true;
    else if (label !== value) return false;
  }
  return unknown ? UNKNOWN : true;
}
