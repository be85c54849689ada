/**
 * The Express application, built from explicit dependencies so tests can build
 * it against their own database, Redis and bucket.
 */
import type { Database } from "@catalog/db";
import type { Logger, Metrics } from "@catalog/observability";
import express, { type Express } from "express";
import type { Kysely } from "kysely";
import { errorHandler, notFound } from "./errors";
import { healthRoutes } from "./routes/health";

/** Everything the routes use. */
export interface ApiDependencies {
  db: Kysely<Database>;
  logger: Logger;
  metrics: Metrics;
  /** Reachability checks for /readyz. */
  ping: { postgres(): Promise<unknown>; redis(): Promise<unknown>; s3(): Promise<unknown> };
}

export function createApp(deps: ApiDependencies): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("strict routing", false);
  app.use(healthRoutes(deps));
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
