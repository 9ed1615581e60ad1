// A loopback HTTP server that serves Prometheus metrics (prom-client) for
// simulated services: each service's stable and canary tracks take requests
// at chosen rates, error rates and latencies, seeded, counted as an
// instrumented HTTP server counts them (a counter by status code and a
// duration histogram, labelled namespace, app and version).
import * as http from "node:http";
import { Counter, Histogram, Registry } from "prom-client";
import { normal, poisson, seededRandom, type TrackBehaviour } from "../support/canary-traffic";

export interface ServedService {
  readonly namespace: string;
  readonly app: string;
  /** Requests per second, both tracks together. */
  readonly requestsPerSecond: number;
  /** Share of the canary, 0..1. */
  readonly canaryShare: number;
  readonly stable: TrackBehaviour;
  readonly canary: TrackBehaviour;
}

export interface TrafficServer {
  /** host:port, for Prometheus' targets. */
  readonly target: string;
  stop(): Promise<void>;
}

const TICK_MS = 100;
const Z99 = 2.3263478740408408;

export async function startTrafficServer(services: readonly ServedService[], seed: number): Promise<TrafficServer> {
  const registry = new Registry();
  const requests = new Counter({ name: "http_requests_total", help: "HTTP requests by status code", labelNames: ["namespace", "app", "version", "code"], registers: [registry] });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration",
    labelNames: ["namespace", "app", "version"],
    registers: [registry],
  });
  const random = seededRandom(seed);
  // Every series exists from the start, as an instrumented server's would after its first requests.
  for (const s of services) {
    for (const version of ["stable", "canary"]) {
      requests.inc({ namespace: s.namespace, app: s.app, version, code: "200" }, 0);
      duration.zero({ namespace: s.namespace, app: s.app, version });
    }
  }
  const tick = setInterval(() => {
    for (const s of services) {
      for (const [version, share, behaviour] of [["stable", 1 - s.canaryShare, s.stable], ["canary", s.canaryShare, s.canary]] as const) {
        const n = poisson(random, (s.requestsPerSecond * share * TICK_MS) / 1000);
        const sigma = Math.log(behaviour.p99Seconds / behaviour.medianSeconds) / Z99;
        for (let i = 0; i < n; i++) {
          const code = random() < behaviour.errorRate ? "500" : "200";
          requests.inc({ namespace: s.namespace, app: s.app, version, code });
          duration.observe({ namespace: s.namespace, app: s.app, version }, behaviour.medianSeconds * Math.exp(sigma * normal(random)));
        }
      }
    }
  }, TICK_MS);
  const server = http.createServer((_req, res) => {
    void registry.metrics().then((body) => {
      res.writeHead(200, { "content-type": registry.contentType });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  return {
    target: `127.0.0.1:${address.port}`,
    stop: async () => {
      clearInterval(tick);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
