// `--port-forward svc/NAME[:PORT]`: the target the checker opens itself through the Kubernetes
// API, as the runbook's `kubectl port-forward svc/payment-service-green 8080:80` does. It picks a
// ready pod behind the Service (from its EndpointSlices), maps the Service port to that pod's
// container port, and serves a local listener on 127.0.0.1 whose every connection is forwarded
// through client-node's PortForward. The setup is bound by one deadline; a failure says what failed.
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { PassThrough, Writable } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { boundedRequests, kubeClient } from "../lib/kube-api";

export interface PortForwardTarget {
  readonly namespace: string;
  readonly service: string;
  /** The Service port; optional when the Service has exactly one. */
  readonly port: number | undefined;
}

export interface OpenForward {
  /** `http://127.0.0.1:<local port>`: where the checks go. */
  readonly url: string;
  readonly pod: string;
  readonly podPort: number;
  /** Closes the listener and every forwarded connection. */
  close(): Promise<void>;
}

/** A port-forward that could not be set up, in words: no ready pod, the API refused, the forward failed. */
export class PortForwardError extends Error {}

/** `svc/NAME` or `svc/NAME:PORT` (also `service/`), else undefined. */
export function parsePortForward(value: string): { service: string; port: number | undefined } | undefined {
  const match = /^(?:svc|service|services)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(?::(\d{1,5}))?$/.exec(value);
  if (match === null) return undefined;
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { service: match[1] ?? "", port };
}


function apiError(what: string, error: unknown, timeoutMs: number): PortForwardError {
  const name = error instanceof Error ? error.name : "";
  if (name === "AbortError" || name === "TimeoutError") return new PortForwardError(`${what}: no answer from the Kubernetes API within the port-forward setup's ${timeoutMs} ms`);
  const status = typeof error === "object" && error !== null && "code" in error && typeof error.code === "number" ? error.code : undefined;
  if (status !== undefined && status >= 100 && status <= 599) return new PortForwardError(`${what}: the Kubernetes API refused (${status})`);
  return new PortForwardError(`${what}: the Kubernetes API could not be reached: ${error instanceof Error ? error.message : String(error)}`);
}

/** Opens the forward, or throws a PortForwardError once `timeoutMs` has passed or something failed. */
export async function openPortForward(kc: KubeConfig, target: PortForwardTarget, timeoutMs: number): Promise<OpenForward> {
  const k8s = await kubeClient();
  const { namespace, service } = target;
  const signal = AbortSignal.timeout(timeoutMs);
  // One deadline for every API call of the setup, through client-node's middleware hook.
  const bounded = boundedRequests(k8s, () => signal);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const svcName = `Service ${namespace}/${service}`;

  const svc = await core.readNamespacedService({ namespace, name: service }, bounded).catch((error: unknown) => {
    throw apiError(`cannot read ${svcName}`, error, timeoutMs);
  });
  const ports = svc.spec?.ports ?? [];
  const servicePort = target.port === undefined ? (ports.length === 1 ? ports[0] : undefined) : ports.find((p) => p.port === target.port);
  if (servicePort === undefined) {
    const has = ports.map((p) => p.port).join(", ") || "none";
    throw new PortForwardError(target.port === undefined ? `${svcName} has ports ${has}: say which, as svc/${service}:PORT` : `${svcName} has no port ${target.port} (it has ${has})`);
  }

  const slices = await kc
    .makeApiClient(k8s.DiscoveryV1Api)
    .listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` }, bounded)
    .catch((error: unknown) => {
      throw apiError(`cannot list the EndpointSlices of ${svcName}`, error, timeoutMs);
    });
  const pods = slices.items.flatMap((slice) => (slice.endpoints ?? []).filter((e) => e.conditions?.ready === true && e.targetRef?.kind === "Pod").map((e) => e.targetRef?.name ?? ""));
  const podName = pods.find((name) => name !== "");
  if (podName === undefined) throw new PortForwardError(`no ready pod behind ${svcName}: its EndpointSlices have no ready endpoint`);

  // targetPort: a number, a container port's name, or (unset) the Service port itself.
  const targetPort = servicePort.targetPort ?? servicePort.port;
  let podPort: number;
  if (typeof targetPort === "number" || /^\d+$/.test(targetPort)) podPort = Number(targetPort);
  else {
    const pod = await core.readNamespacedPod({ namespace, name: podName }, bounded).catch((error: unknown) => {
      throw apiError(`cannot read pod ${namespace}/${podName}`, error, timeoutMs);
    });
    const named = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []).find((p) => p.name === targetPort);
    if (named === undefined) throw new PortForwardError(`pod ${namespace}/${podName} has no container port named '${targetPort}' (the targetPort of ${svcName} port ${servicePort.port})`);
    podPort = named.containerPort;
  }

  const forward = new k8s.PortForward(kc);
  const sockets = new Set<Socket>();
  type Ws = Awaited<ReturnType<typeof forward.portForward>>;
  const closeWs = (ws: Ws) => {
    const socket = typeof ws === "function" ? ws() : ws;
    socket?.close();
  };
  /** One forwarded stream for `socket`, ended when either side ends. */
  const connect = async (socket: Socket): Promise<Ws> => {
    const ws = await forward.portForward(namespace, podName, [podPort], socket, null, socket);
    socket.on("close", () => closeWs(ws));
    if (typeof ws !== "function") ws.on("close", () => socket.end());
    return ws;
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    connect(socket).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  // The forward itself, tried once within what is left of the deadline: the API server must
  // upgrade the stream for this pod and port, and the kubelet must not answer on the error
  // stream that it cannot reach the pod's port; else the checks would only see connections reset.
  const errors: string[] = [];
  const input = new PassThrough();
  try {
    await withDeadline(
      forward.portForward(namespace, podName, [podPort], devNull(), collect(errors), input),
      signal,
      (ws) => {
        // A failed dial shows on the error stream shortly after the upgrade; then the probe ends.
        setTimeout(() => {
          input.end();
          closeWs(ws);
        }, PROBE_GRACE_MS).unref();
      },
    );
    await new Promise((resolve) => setTimeout(resolve, PROBE_GRACE_MS));
    // Each stream's first frame carries only its port number, which client-node strips: empty text.
    const said = errors.join("").trim();
    if (said !== "") throw new Error(said.slice(0, 300));
  } catch (error) {
    input.end();
    await close();
    const why = signal.aborted ? `no stream within the port-forward setup's ${timeoutMs} ms` : error instanceof Error ? error.message : String(error);
    throw new PortForwardError(`the port-forward to pod ${namespace}/${podName} port ${podPort} failed: ${why}`);
  }

  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, pod: podName, podPort, close };
}

/** `promise`, or a rejection when `signal` aborts first; a late result is released by `release`. */
async function withDeadline<T>(promise: Promise<T>, signal: AbortSignal, release: (value: T) => void): Promise<void> {
  if (signal.aborted) throw new Error("aborted");
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        release(value);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function devNull(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/** A writable that keeps what is written to it as text (the forward's error stream). */
function collect(into: string[]): Writable {
  return new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      into.push(chunk.toString("utf8"));
      done();
    },
  });
}

/** How long the setup's trial forward waits for the kubelet to say it cannot reach the pod's port. */
const PROBE_GRACE_MS = 300;
