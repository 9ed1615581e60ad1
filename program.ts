// The safe-deploy program: stack config -> typed specs -> components -> outputs.
// `index.ts` hands this function to `pulumi up`; the end-to-end tests and the
// rehearsal run the very same function as an Automation API inline program.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, rawConfigFromAll } from "./config/load";
import type { ServiceConfig, StackConfig } from "./config/schema";
import { BlueGreenDeployment } from "./components/blue-green-deployment";
import { CanaryDeployment } from "./components/canary-deployment";
import { RollingDeployment } from "./components/rolling-deployment";
import { renderRunbook } from "./lib/runbook";
import { serviceReport, type ServiceReport } from "./lib/service-report";
import { PART_OF } from "./lib/names";

export interface StackOutputs {
  readonly stack: string;
  readonly environment: string;
  readonly namespace: string;
  readonly services: Record<string, ServiceReport>;
  readonly runbook: string;
}

export type ServiceComponent = RollingDeployment | BlueGreenDeployment | CanaryDeployment;

/** Reads and validates the stack config (throwing before any resource exists), then deploys it. */
export async function program(): Promise<StackOutputs> {
  const config = parseStackConfig(rawConfigFromAll(pulumi.runtime.allConfig()));
  return deployStack(config, pulumi.getStack());
}

export function deployStack(config: StackConfig, stack: string): StackOutputs {
  const namespace: pulumi.Input<string> = config.createNamespace
    ? new k8s.core.v1.Namespace("namespace", {
        metadata: {
          name: config.namespace,
          labels: {
            "app.kubernetes.io/part-of": PART_OF,
            "safe-deploy.dev/environment": config.environment,
            // Pods here must meet the restricted Pod Security Standard, which Workload's template does.
            "pod-security.kubernetes.io/enforce": "restricted",
          },
        },
      }).metadata.name
    : config.namespace;

  config.services.forEach((spec) => deployService(spec, { namespace, namespaceName: config.namespace, environment: config.environment }));

  const reports = config.services.map((spec, index) => serviceReport(spec, { namespace: config.namespace, stack, index }));
  return {
    stack,
    environment: config.environment,
    namespace: config.namespace,
    services: Object.fromEntries(reports.map((report) => [report.name, report])),
    runbook: renderRunbook(reports, { stack, environment: config.environment, namespace: config.namespace }),
  };
}

function deployService(
  spec: ServiceConfig,
  context: { readonly namespace: pulumi.Input<string>; readonly namespaceName: string; readonly environment: StackConfig["environment"] },
): ServiceComponent {
  switch (spec.strategy) {
    case "rolling":
      return new RollingDeployment(spec.name, { ...context, spec });
    case "blue-green":
      return new BlueGreenDeployment(spec.name, { ...context, spec });
    case "canary":
      return new CanaryDeployment(spec.name, { ...context, spec });
  }
}
