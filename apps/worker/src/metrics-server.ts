/** A tiny HTTP server that serves this process's Prometheus registry at /metrics. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** Listens on `port` (0: any free port) and resolves with the server and its port. */
export function startMetricsServer(
  registry: Registry,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer(async (request, response) => {
    if (request.url !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": registry.contentType });
    response.end(await registry.metrics());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () =>
      resolve({ server, port: (server.address() as AddressInfo).port }),
    );
  });
}
