// A real HTTP server on 127.0.0.1 that plays a service (or a webhook receiver) for the checker's
// tests: each request is recorded and answered by the test's handler.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface Reply {
  readonly status: number;
  /** A string is sent as is, anything else as JSON. */
  readonly body?: unknown;
  /** Never answer: the connection stays open until the server closes. */
  readonly hang?: boolean;
  /** Extra response headers (a `www-authenticate` challenge). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (request: Recorded, index: number) => Reply;

export interface LoopbackServer {
  readonly url: string;
  readonly port: number;
  readonly received: Recorded[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<LoopbackServer> {
  const received: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded: Recorded = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(recorded);
      const reply = handler(recorded, received.length - 1);
      if (reply.hang === true) return;
      const text = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, { "content-type": typeof reply.body === "string" ? "text/plain" : "application/json", ...reply.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging requests would keep close() waiting for ever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bound, then released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A healthy service at `version`: `/health` ok, `/version` the version. */
export const healthyService =
  (version: string): Handler =>
  (request) => {
    if (request.path === "/health") return { status: 200, body: { status: "ok" } };
    if (request.path === "/version") return { status: 200, body: { version } };
    return { status: 404, body: "not found" };
  };

/** Starts loopback servers for the calling test file and closes each after the test that started it. */
export function useLoopbackServers(): (handler: Handler) => Promise<LoopbackServer> {
  const servers: LoopbackServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (handler) => {
    const server = await startServer(handler);
    servers.push(server);
    return server;
  };
}
