/**
 * The Express application, built from explicit dependencies so tests can build
 * it against their own database, Redis and bucket.
 */
import type { Database } from "@catalog/db";
import type { ImportQueues } from "@catalog/jobs";
import type { Logger, Metrics } from "@catalog/observability";
import type { ObjectStore } from "@catalog/storage";
import express, { type Express } from "express";
import type { Kysely } from "kysely";
import { errorHandler, notFound } from "./errors";
import { accessLog } from "./http/access-log";
import { httpMetrics } from "./http/http-metrics";
import { adminRoutes } from "./routes/admin";
import { consoleRoutes } from "./routes/console";
import { healthRoutes } from "./routes/health";
import { importJobRoutes } from "./routes/import-jobs";
import { openApiRoutes } from "./routes/openapi";

/** Everything the routes use. */
export interface ApiDependencies {
  db: Kysely<Database>;
  logger: Logger;
  metrics: Metrics;
  /** The bucket uploads stream into and reports are read from. */
  store: ObjectStore;
  /** Producer side of the import queues (on a fail-fast Redis connection). */
  queues: ImportQueues;
  limits: {
    /** Largest accepted upload in bytes (MAX_FILE_BYTES). */
    maxFileBytes: number;
    /** Seconds without progress after which a working job counts as stuck (STUCK_AFTER_S). */
    stuckAfterS: number;
  };
  idempotency: {
    /** How long an Idempotency-Key is remembered, in hours (IDEMPOTENCY_KEY_TTL_HOURS). */
    keyTtlHours: number;
  };
  webhooks: {
    /** Hosts an http:// callback_url may name (WEBHOOK_ALLOWED_HOSTS). */
    allowedHosts: readonly string[];
  };
  /** Public base URL for job links, without a trailing slash, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Reachability checks for /readyz. */
  ping: {
    postgres(): Promise<unknown>;
    redis(): Promise<unknown>;
    /** `signal` aborts a request that outlived the probe's deadline. */
    s3(signal?: AbortSignal): Promise<unknown>;
  };
}

/**
 * The API: an access log line and a duration observation for every request,
 * probes and metrics, the OpenAPI document, the import-job and admin routes,
 * the operator console's static files at `/`; JSON errors.
 */
export function createApp(deps: ApiDependencies): Express {
  const app = express();
  app.disable("x-powered-by");
  // Trailing slash optional on every route (also each Router's default).
  app.set("strict routing", false);
  app.use(accessLog(deps.logger));
  app.use(httpMetrics(deps.metrics));
  app.use(healthRoutes(deps));
  app.use(openApiRoutes(deps.baseUrl));
  app.use(importJobRoutes(deps));
  app.use(adminRoutes(deps));
  app.use(consoleRoutes());
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
