// The one place a live Service's selector changes. The Service is registered
// only after the resources it switches to are ready (dependsOn), so traffic
// never moves to pods that have not proved themselves. How to switch back is
// the service's rollback plan (lib/rollback.ts), not this component's.
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { newHttpService } from "./http-service";

export interface ServiceSelectorSwitchArgs {
  /** The namespace of the live Service. */
  readonly namespace: pulumi.Input<string>;
  /** The live Service's name. */
  readonly serviceName: string;
  /** The Service's labels (unversioned, so a release does not update them). */
  readonly labels: Record<string, string>;
  /** The selector traffic goes to after this update. */
  readonly selector: Record<string, string>;
  /** What must be ready before traffic moves: the target slot's Deployment (and later its smoke test). Never empty. */
  readonly readyBeforeSwitch: readonly pulumi.Resource[];
  /**
   * Do not wait for the live Service's endpoints to settle after the switch.
   * Honest only when a step that depends on the switch proves the endpoints
   * moved (the verify step's EndpointSlice check); it saves the provider's
   * ~10 s settle wait, which a rollback would otherwise spend here.
   * @default false
   */
  readonly endpointsProvedLater?: boolean;
}

export class ServiceSelectorSwitch extends pulumi.ComponentResource {
  public readonly service: k8s.core.v1.Service;
  public readonly serviceName: pulumi.Output<string>;
  public readonly selector: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ServiceSelectorSwitchArgs, opts?: pulumi.ComponentResourceOptions) {
    super("safe-deploy:k8s:ServiceSelectorSwitch", name, {}, opts);
    if (args.readyBeforeSwitch.length === 0) {
      throw new pulumi.ResourceError(`ServiceSelectorSwitch '${name}': 'readyBeforeSwitch' is empty; a switch must wait for the pods it switches to`, this);
    }
    this.service = newHttpService(
      `${name}-service`,
      { namespace: args.namespace, name: args.serviceName, selector: args.selector, labels: args.labels, skipAwait: args.endpointsProvedLater === true },
      { parent: this, dependsOn: [...args.readyBeforeSwitch] },
    );
    this.serviceName = this.service.metadata.name;
    this.selector = pulumi.output(args.selector);
    this.registerOutputs({ serviceName: this.serviceName, selector: this.selector });
  }
}
