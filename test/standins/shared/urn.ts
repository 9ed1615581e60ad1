// The parts of a resource URN a provider needs:
// urn:pulumi:<stack>::<project>::<parent types$>...<type>::<name>
export interface UrnParts {
  /** The resource's own type token, e.g. `kubernetes:apps/v1:Deployment`. */
  readonly type: string;
  /** The resource's name as the program gave it. */
  readonly name: string;
}

export function parseUrn(urn: string): UrnParts {
  const parts = urn.split("::");
  if (parts.length < 4) throw new Error(`not a resource URN: "${urn}"`);
  const typeChain = parts[2] ?? "";
  const type = typeChain.split("$").pop() ?? typeChain;
  // A name may itself contain "::"; it is everything after the type.
  const name = parts.slice(3).join("::");
  return { type, name };
}
