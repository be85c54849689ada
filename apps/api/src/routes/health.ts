/**
 * Probes: `/healthz` says the process is alive (no dependency checks, so a
 * Postgres outage does not get every API pod restarted); `/readyz` says whether
 * Postgres, Redis and S3 all answer, each with its own status, else 503.
 */
import { Router } from "express";
import type { ApiDependencies } from "../app";
import { mountRoute } from "./mount-route";

const PROBE_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), PROBE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function probe(check: () => Promise<unknown>): Promise<"ok" | string> {
  try {
    await withTimeout(check());
    return "ok";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

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
        const [postgres, redis, s3] = await Promise.all([
          probe(() => deps.ping.postgres()),
          probe(() => deps.ping.redis()),
          probe(() => deps.ping.s3()),
        ]);
        const ready = postgres === "ok" && redis === "ok" && s3 === "ok";
        response
          .status(ready ? 200 : 503)
          .json({ status: ready ? "ok" : "unavailable", checks: { postgres, redis, s3 } });
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
