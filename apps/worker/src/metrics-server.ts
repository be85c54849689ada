/**
 * A tiny HTTP server for the worker process: `/metrics` (its Prometheus
 * registry), `/healthz` (the process is alive) and `/readyz` (Postgres, Redis and
 * S3 answer; 503 with each failing check otherwise), for orchestrators' probes.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { checkReadiness, type ReadinessCheck } from "@catalog/observability";
import type { Registry } from "prom-client";

/** Listens on `port` (0: any free port) and resolves with the server and its port. */
export function startMetricsServer(
  registry: Registry,
  port: number,
  readiness: Record<string, ReadinessCheck>,
): Promise<{ server: Server; port: number }> {
  const server = createServer(async (request, response) => {
    const path = request.url?.split("?")[0]?.replace(/\/+$/, "");
    if (path === "/metrics") {
      response.writeHead(200, { "content-type": registry.contentType });
      response.end(await registry.metrics());
    } else if (path === "/healthz") {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ status: "ok" }));
    } else if (path === "/readyz") {
      const report = await checkReadiness(readiness);
      response.writeHead(report.status === "ok" ? 200 : 503, {
        "content-type": "application/json",
      });
      response.end(JSON.stringify(report));
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () =>
      resolve({ server, port: (server.address() as AddressInfo).port }),
    );
  });
}
