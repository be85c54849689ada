/**
 * The API process: parses its settings, connects to Postgres, Redis and S3,
 * serves HTTP, and on SIGTERM/SIGINT stops accepting connections, lets requests
 * in flight finish, closes its connections and exits 0.
 */
import { parseEnvOrExit } from "@catalog/config";
import { createDb } from "@catalog/db";
import { closeImportQueues, countStuckJobs, createImportQueues } from "@catalog/jobs";
import { createLogger, createMetrics } from "@catalog/observability";
import { createProducerConnection, throttledErrorListener } from "@catalog/queue";
import { createS3Client, pingBucket, s3SettingsFromEnv } from "@catalog/storage";
import { sql } from "kysely";
import { createApp } from "./app";
import { apiEnvShape } from "./env";

async function main(): Promise<void> {
  const env = parseEnvOrExit(apiEnvShape);
  const logger = createLogger("api", env.LOG_LEVEL);
  const db = createDb({
    url: env.DATABASE_URL,
    poolSize: env.DATABASE_POOL_SIZE,
    applicationName: "catalog-import-api",
    onConnectionError: (error) => logger.warn({ err: error }, "Postgres connection lost"),
  });
  // Fail-fast: an upload answers 503 when Redis is down instead of hanging, and
  // /readyz probes this same connection.
  const redis = createProducerConnection(env.REDIS_URL, {
    onError: throttledErrorListener((error, repeats) =>
      logger.warn({ err: error, repeats }, "Redis connection error"),
    ),
  });
  const queues = createImportQueues(redis, env.QUEUE_PREFIX);
  const s3 = { client: createS3Client(s3SettingsFromEnv(env)), bucket: env.S3_BUCKET };
  const metrics = createMetrics({ stuckJobs: () => countStuckJobs(db, env.STUCK_AFTER_S) });
  const baseUrl = (env.PUBLIC_BASE_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/+$/, "");

  const app = createApp({
    db,
    logger,
    metrics,
    store: s3,
    queues,
    limits: { maxFileBytes: env.MAX_FILE_BYTES, stuckAfterS: env.STUCK_AFTER_S },
    idempotency: { keyTtlHours: env.IDEMPOTENCY_KEY_TTL_HOURS },
    webhooks: { allowedHosts: env.WEBHOOK_ALLOWED_HOSTS },
    baseUrl,
    ping: {
      postgres: () => sql`SELECT 1`.execute(db),
      redis: () => redis.ping(),
      s3: (signal) => pingBucket(s3, signal),
    },
  });
  const server = app.listen(env.PORT, env.HOST, () => {
    logger.info({ url: `http://${env.HOST}:${env.PORT}` }, "API listening");
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, "API shutting down");
    server.close(async () => {
      await closeImportQueues(queues).catch(() => undefined);
      await Promise.allSettled([db.destroy(), redis.quit()]);
      s3.client.destroy();
      process.exit(0);
    });
    // Idle keep-alive sockets would hold close() open.
    server.closeIdleConnections();
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

void main();
