import * as net from "node:net";

/**
 * Ports free on 127.0.0.1 right now: binds `count` listeners to port 0 at
 * once (so the kernel hands out distinct ports), reads them, closes them.
 * Another process could take one before our component binds it; the window
 * is milliseconds and a start failure names the port in the component's log.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => listen()),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === "string") {
      throw new Error(`unexpected listener address ${String(address)}`);
    }
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

function listen(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => resolve(server));
  });
}
