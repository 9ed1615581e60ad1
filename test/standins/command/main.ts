// Entry point of the stand-in `pulumi-resource-command` plugin (started by
// ../bin/pulumi-resource-command): serves the provider protocol on a port it
// prints for the engine.
import { main } from "@pulumi/pulumi/provider";
import { commandProvider } from "./provider";

main(commandProvider(), process.argv.slice(2)).catch((error: unknown) => {
  console.error(`pulumi-resource-command (stand-in) failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
