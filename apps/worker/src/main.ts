/**
 * A worker process: consumes the import queues and serves /metrics. Run as many
 * as needed; each one is independent. On SIGTERM it stops taking jobs, lets the
 * ones in progress finish (up to SHUTDOWN_GRACE_S), closes its connections and
 * exits 0.
 */
import { parseEnvOrExit } from "@catalog/config";
import { createDb } from "@catalog/db";
import { createLogger, createMetrics } from "@catalog/observability";
import { createWorkerConnection } from "@catalog/queue";
import { createS3Client, s3SettingsFromEnv } from "@catalog/storage";
import { workerEnvShape } from "./env";
import { startMetricsServer } from "./metrics-server";

async function main(): Promise<void> {
  const env = parseEnvOrExit(workerEnvShape);
  const logger = createLogger("worker", env.LOG_LEVEL);
  const metrics = createMetrics();
  const db = createDb({
    url: env.DATABASE_URL,
    poolSize: env.DATABASE_POOL_SIZE,
    applicationName: "catalog-import-worker",
  });
  const redis = createWorkerConnection(env.REDIS_URL);
  redis.on("error", (error) => logger.warn({ err: error }, "Redis connection error"));
  const s3 = createS3Client(s3SettingsFromEnv(env));
  const metricsServer = await startMetricsServer(metrics.registry, env.WORKER_METRICS_PORT);
  logger.info({ metricsPort: metricsServer.port }, "Worker started");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "Worker shutting down");
    metricsServer.server.close();
    await Promise.allSettled([db.destroy(), redis.quit()]);
    s3.destroy();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

void main();
