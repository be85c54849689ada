/**
 * A tiny HTTP server for a worker process: its Prometheus registry at
 * /metrics, liveness at /healthz and readiness at /readyz (each dependency the
 * worker needs, named with its status; 503 while any is unreachable).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ReadinessReport } from "@catalog/observability";
import type { Registry } from "prom-client";

/** Listens on `port` (0: any free port) and resolves with the server and its port. */
export function startMetricsServer(
  registry: Registry,
  port: number,
  readiness?: () => Promise<ReadinessReport>,
): Promise<{ server: Server; port: number }> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? "/", "http://worker").pathname.replace(/\/+$/, "");
    if (path === "/metrics") {
      response.writeHead(200, { "content-type": registry.contentType });
      response.end(await registry.metrics());
      return;
    }
    if (path === "/healthz") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ status: "ok" }));
      return;
    }
    if (path === "/readyz" && readiness) {
      const { ready, checks } = await readiness();
      response.writeHead(ready ? 200 : 503, { "content-type": "application/json" });
      response.end(JSON.stringify({ status: ready ? "ok" : "unavailable", checks }));
      return;
    }
    response.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () =>
      resolve({ server, port: (server.address() as AddressInfo).port }),
    );
  });
}
