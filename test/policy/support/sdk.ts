// The policy SDK as the pack itself loads it. @pulumi/policy is a dependency
// of policy/ only (the pack installs on its own, like any pack a user runs), so
// tests reach it in the pack's node_modules: the very module instance whose
// `UnknownValueError` the policies catch.
export { unknownCheckingProxy, UnknownValueError } from "../../../policy/node_modules/@pulumi/policy";
export type {
  Policy,
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "../../../policy/node_modules/@pulumi/policy";

/** What the engine puts on the wire for a value preview cannot know (Pulumi's `UnknownStringValue`). */
export const UNKNOWN_ON_THE_WIRE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
