// Entry point of the stand-in `pulumi-resource-kubernetes` plugin (started by
// ../bin/pulumi-resource-kubernetes): serves the provider protocol on a port
// it prints for the engine. The cluster comes from KUBECONFIG; see provider.ts.
import { main } from "@pulumi/pulumi/provider";
import { kubernetesProvider } from "./provider";

main(kubernetesProvider(), process.argv.slice(2)).catch((error: unknown) => {
  console.error(`pulumi-resource-kubernetes (stand-in) failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
