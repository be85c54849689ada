/**
 * A worker process: consumes the import queues and serves /metrics. Run as many
 * as needed; each one is independent. On SIGTERM it stops taking jobs, lets the
 * ones in progress finish (up to SHUTDOWN_GRACE_S; past that their locks lapse
 * and another worker takes them over), closes its connections and exits 0.
 */
import { parseEnvOrExit } from "@catalog/config";
import { createDb } from "@catalog/db";
import { closeImportQueues, countStuckJobs, createImportQueues } from "@catalog/jobs";
import { createLogger, createMetrics } from "@catalog/observability";
import { createWorkerConnection, MAINTENANCE_QUEUE, QUEUE_NAMES } from "@catalog/queue";
import { createS3Client, pingBucket, s3SettingsFromEnv } from "@catalog/storage";
import { Queue, Worker } from "bullmq";
import { sql } from "kysely";
import { workerEnvShape } from "./env";
import { commitImport } from "./handlers/commit-import";
import { runRetention } from "./handlers/apply-retention";
import { reapJobs } from "./handlers/reap-jobs";
import { revertImport } from "./handlers/revert-import";
import { validateImport } from "./handlers/validate-import";
import { startImportWorkers } from "./import-workers";
import { startMetricsServer } from "./metrics-server";
import { refreshQueueMetrics } from "./queue-metrics";
import { webhookKey } from "./webhooks/webhook-signature";
import { startWebhookWorker } from "./webhooks/webhook-worker";
import type { WorkerDependencies } from "./worker-dependencies";

async function main(): Promise<void> {
  const env = parseEnvOrExit(workerEnvShape);
  const logger = createLogger("worker", env.LOG_LEVEL);
  const db = createDb({
    url: env.DATABASE_URL,
    poolSize: env.DATABASE_POOL_SIZE,
    applicationName: "catalog-import-worker",
  });
  const deps: WorkerDependencies = {
    db,
    store: { client: createS3Client(s3SettingsFromEnv(env)), bucket: env.S3_BUCKET },
    logger,
    metrics: createMetrics({
      queues: Object.values(QUEUE_NAMES),
      stuckJobs: () => countStuckJobs(db, env.STUCK_AFTER_S),
    }),
    limits: {
      maxProducts: env.MAX_PRODUCTS,
      maxVariants: env.MAX_VARIANTS,
      maxSpecsPerVariant: env.MAX_SPECS_PER_VARIANT,
      maxUncompressedBytes: env.MAX_UNCOMPRESSED_BYTES,
      validationTimeoutMs: env.VALIDATION_TIMEOUT_S * 1000,
      commitTimeoutMs: env.COMMIT_TIMEOUT_S * 1000,
    },
  };
  const connection = createWorkerConnection(env.REDIS_URL);
  connection.on("error", (error) => logger.warn({ err: error }, "Redis connection error"));
  const handlers = { validate: validateImport, commit: commitImport, revert: revertImport };
  const workers = startImportWorkers(handlers, deps, {
    connection,
    prefix: env.QUEUE_PREFIX,
    concurrency: { validate: env.VALIDATE_CONCURRENCY, commit: env.COMMIT_CONCURRENCY, revert: 1 },
  });

  // Maintenance: the reaper (every REAPER_INTERVAL_S) and the retention (every
  // RETENTION_INTERVAL_S, daily by default); one scheduler each, shared by every
  // worker, and each tick runs on one of them.
  const queues = createImportQueues(connection, env.QUEUE_PREFIX);
  const maintenance = new Queue(MAINTENANCE_QUEUE, { connection, prefix: env.QUEUE_PREFIX });
  await maintenance.upsertJobScheduler(
    "reaper",
    { every: env.REAPER_INTERVAL_S * 1000 },
    { name: "reap" },
  );
  await maintenance.upsertJobScheduler(
    "retention",
    { every: env.RETENTION_INTERVAL_S * 1000 },
    { name: "retention" },
  );
  workers.push(
    new Worker(
      MAINTENANCE_QUEUE,
      (job) =>
        job.name === "retention"
          ? runRetention(deps, env.SNAPSHOT_RETENTION_DAYS)
          : reapJobs(deps, queues, env.STUCK_AFTER_S),
      { connection, prefix: env.QUEUE_PREFIX, concurrency: 1 },
    ),
  );

  // Queue depth and wait (every worker reports the same numbers: graph with max()).
  const refreshQueues = () =>
    refreshQueueMetrics(queues, deps.metrics).catch((error) =>
      logger.warn({ err: error }, "Could not read the queue depth"),
    );
  await refreshQueues();
  const depth = setInterval(refreshQueues, env.QUEUE_METRICS_INTERVAL_S * 1000);
  // Webhooks: delivered only by workers that hold the signing secret.
  const webhooks = env.WEBHOOK_SECRET
    ? startWebhookWorker(
        {
          db: deps.db,
          logger,
          webhooks: {
            key: webhookKey(env.WEBHOOK_SECRET),
            baseUrl: (env.PUBLIC_BASE_URL ?? `http://${env.HOST}:${env.PORT}`).replace(/\/+$/, ""),
            timeoutMs: env.WEBHOOK_TIMEOUT_S * 1000,
            retryWindowMs: env.WEBHOOK_RETRY_WINDOW_H * 3600 * 1000,
          },
        },
        {
          connection,
          prefix: env.QUEUE_PREFIX,
          concurrency: env.WEBHOOK_CONCURRENCY,
          retryDelaysMs: env.WEBHOOK_RETRY_DELAYS_S,
        },
      )
    : undefined;
  if (!webhooks) logger.warn("WEBHOOK_SECRET is unset: webhook events are recorded, not sent");

  const metricsServer = await startMetricsServer(deps.metrics.registry, env.WORKER_METRICS_PORT, {
    postgres: () => sql`SELECT 1`.execute(deps.db),
    redis: () => connection.ping(),
    s3: () => pingBucket(deps.store),
  });
  logger.info(
    {
      metricsPort: metricsServer.port,
      queues: [...workers, ...(webhooks ? [webhooks.worker] : [])].map((w) => w.name),
    },
    "Worker started",
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "Worker shutting down: finishing jobs in progress");
    const graceful = Promise.all([...workers.map((worker) => worker.close()), webhooks?.stop()]);
    const grace = new Promise<"timeout">((done) =>
      setTimeout(() => done("timeout"), env.SHUTDOWN_GRACE_S * 1000).unref(),
    );
    if ((await Promise.race([graceful, grace])) === "timeout") {
      logger.warn("Grace period over: releasing jobs still in progress");
      await Promise.all(workers.map((worker) => worker.close(true)));
    }
    clearInterval(depth);
    metricsServer.server.close();
    await Promise.allSettled([closeImportQueues(queues), maintenance.close()]);
    await Promise.allSettled([deps.db.destroy(), connection.quit()]);
    deps.store.client.destroy();
    logger.info("Worker stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

void main();
