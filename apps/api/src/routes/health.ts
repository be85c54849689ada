/**
 * Probes: `/healthz` says the process is alive (no dependency checks, so a
 * Postgres outage does not get every API pod restarted); `/readyz` says whether
 * Postgres, Redis and S3 all answer, each with its own status, else 503.
 */
import { checkReadiness } from "@catalog/observability";
import { Router } from "express";
import type { ApiDependencies } from "../app";
import { mountRoute } from "./mount-route";

export function healthRoutes(deps: ApiDependencies): Router {
  const router = Router();
  mountRoute(router, "/healthz", {
    get: [
      (_request, response) => {
        response.json({ status: "ok" });
      },
    ],
  });
  mountRoute(router, "/readyz", {
    get: [
      async (_request, response) => {
        const report = await checkReadiness({
          postgres: () => deps.ping.postgres(),
          redis: () => deps.ping.redis(),
          s3: () => deps.ping.s3(),
        });
        response.status(report.status === "ok" ? 200 : 503).json(report);
      },
    ],
  });
  mountRoute(router, "/metrics", {
    get: [
      async (_request, response) => {
        response
          .type(deps.metrics.registry.contentType)
          .send(await deps.metrics.registry.metrics());
      },
    ],
  });
  return router;
}
