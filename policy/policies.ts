// Every policy of the pack, in the order the README's table lists them. The
// entry file (index.ts) serves exactly this list; tests import it (or a single
// policy's module) without starting a server.
import type { Policies } from "@pulumi/policy";
import { configureBoundedMigrations } from "./policies/configure-bounded-migrations";
import { configureHealthProbes } from "./policies/configure-health-probes";
import { configurePodDisruptionBudget } from "./policies/configure-pod-disruption-budget";
import { configureResourceLimits } from "./policies/configure-resource-limits";
import { disallowPrematureContractMigration } from "./policies/disallow-premature-contract-migration";
import { disallowSecretLiterals } from "./policies/disallow-secret-literals";
import { disallowStandbyRetiredOnSwitch } from "./policies/disallow-standby-retired-on-switch";
import { disallowUnpinnedImages } from "./policies/disallow-unpinned-images";
import { enforceCanarySteps } from "./policies/enforce-canary-steps";
import { enforcePreDeploymentChecklist } from "./policies/enforce-pre-deployment-checklist";
import { enforceMinimumReplicas } from "./policies/enforce-minimum-replicas";
import { enforceRestrictedPods } from "./policies/enforce-restricted-pods";
import { enforceRollbackTarget } from "./policies/enforce-rollback-target";
import { enforceSafeRollingUpdate } from "./policies/enforce-safe-rolling-update";
import { enforceSwitchToReadySlot } from "./policies/enforce-switch-to-ready-slot";

/** The pack's name, as `pulumi preview` prints it beside each violation. */
export const PACK_NAME = "safe-deploy";

export const policies: Policies = [
  disallowUnpinnedImages,
  configureHealthProbes,
  configureResourceLimits,
  enforceRestrictedPods,
  disallowSecretLiterals,
  configureBoundedMigrations,
  enforceMinimumReplicas,
  configurePodDisruptionBudget,
  enforceSafeRollingUpdate,
  disallowPrematureContractMigration,
  disallowStandbyRetiredOnSwitch,
  enforceSwitchToReadySlot,
  enforceCanarySteps,
  enforceRollbackTarget,
  enforcePreDeploymentChecklist,
];
