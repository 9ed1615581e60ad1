// The policy pack's entry point: `pulumi preview --policy-pack ./policy` runs
// this file, which serves the policies over the analyzer protocol.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, { policies, enforcementLevel: "mandatory" });
