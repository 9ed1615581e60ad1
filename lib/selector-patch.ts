// The kubectl command that points a Service's selector somewhere else.

export function selectorPatchCommand(service: string, namespace: string, selector: Record<string, string>): string {
  return `kubectl patch service ${service} -n ${namespace} -p '${JSON.stringify({ spec: { selector } })}'`;
}
