// The language host a printed `pulumi up` needs, served in this process.
// On a user's machine the CLI starts the Node.js language host, which runs
// index.ts; that host cannot be built here (../shared/TOOLCHAIN.md), so the
// harness serves the same `program` function over the language runtime's
// gRPC protocol with the Automation API's own LanguageServer, and the CLI
// connects to it through its `--client=<address>` flag (what the Automation
// API passes for inline programs). Everything else is the CLI as printed:
// its flag checks, its preview pass, its update, in one process.
import * as path from "node:path";

/** The parts of @grpc/grpc-js used here. */
interface Grpc {
  Server: new () => {
    addService(service: unknown, implementation: unknown): void;
    bindAsync(address: string, credentials: unknown, callback: (error: Error | null, port: number) => void): void;
    forceShutdown(): void;
  };
  ServerCredentials: { createInsecure(): unknown };
}

/** The Automation API's language server (its .d.ts declares nothing: it is internal to @pulumi/pulumi). */
interface LanguageServerModule {
  LanguageServer: new (program: () => Promise<unknown>) => { onPulumiExit(hasError: boolean): void };
}

// The very modules @pulumi/pulumi's Automation API loads, resolved from it: one gRPC, one set of protocol stubs.
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] })) as Grpc;
const { LanguageServer } = require("@pulumi/pulumi/automation/server") as LanguageServerModule;
const { LanguageRuntimeService } = require("@pulumi/pulumi/proto/language_grpc_pb") as { LanguageRuntimeService: unknown };

/** Serves `program` as a language host while `run` runs; `run` gets the `--client` flag to pass the CLI. */
export async function withInlineLanguageHost<T>(program: () => Promise<unknown>, run: (clientFlag: string) => Promise<T>): Promise<T> {
  const server = new grpc.Server();
  const languageServer = new LanguageServer(program);
  server.addService(LanguageRuntimeService, languageServer);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  let failed = false;
  try {
    return await run(`--client=127.0.0.1:${String(port)}`);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    languageServer.onPulumiExit(failed);
    server.forceShutdown();
  }
}
