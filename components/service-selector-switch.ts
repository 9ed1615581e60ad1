// The one place a live Service's selector changes. The Service is registered
// only after the resources it switches to are ready (dependsOn), so traffic
// never moves to pods that have not proved themselves.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorPatchCommand } from "../lib/selector-patch";
import { newHttpService } from "./http-service";

export interface ServiceSelectorSwitchArgs {
  /** Plain string: it is part of the printed rollback command. */
  readonly namespace: string;
  /** The live Service's name. */
  readonly serviceName: string;
  readonly labels: Record<string, string>;
  /** The selector traffic goes to after this update. */
  readonly selector: Record<string, string>;
  /** The selector to go back to, if there is one. @default - no rollback */
  readonly rollbackSelector?: Record<string, string>;
  /** What must be ready before traffic moves: the target slot's Deployment (and later its smoke test). */
  readonly readyBeforeSwitch: readonly pulumi.Resource[];
  /** @default - the namespace as given */
  readonly namespaceInput?: pulumi.Input<string>;
}

export class ServiceSelectorSwitch extends pulumi.ComponentResource {
  public readonly service: k8s.core.v1.Service;
  /** `kubectl patch service ...` that switches back, or undefined when there is nowhere to go back to. */
  public readonly rollbackCommand: string | undefined;

  constructor(name: string, args: ServiceSelectorSwitchArgs, opts?: pulumi.ComponentResourceOptions) {
    super("safe-deploy:k8s:ServiceSelectorSwitch", name, {}, opts);
    if (args.readyBeforeSwitch.length === 0) {
      throw new pulumi.ResourceError(`ServiceSelectorSwitch '${name}': 'readyBeforeSwitch' is empty; a switch must wait for the pods it switches to`, this);
    }
    this.service = newHttpService(
      `${name}-service`,
      { namespace: args.namespaceInput ?? args.namespace, name: args.serviceName, selector: args.selector, labels: args.labels },
      { parent: this, dependsOn: [...args.readyBeforeSwitch] },
    );
    this.rollbackCommand =
      args.rollbackSelector === undefined ? undefined : selectorPatchCommand(args.serviceName, args.namespace, args.rollbackSelector);
    this.registerOutputs({ serviceName: this.service.metadata.name, rollbackCommand: this.rollbackCommand });
  }
}
