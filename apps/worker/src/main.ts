/**
 * A worker process: consumes the import queues, takes its turn at maintenance
 * (the reaper) and serves /metrics, /healthz and /readyz. Run as many as
 * needed; each one is independent. A lost connection to Postgres, Redis or S3
 * is logged and waited out, never a reason to exit. On SIGTERM it stops taking
 * jobs, lets the ones in progress finish (up to SHUTDOWN_GRACE_S; past that
 * their locks lapse and another worker takes them over), closes its
 * connections and exits 0.
 */
import { rm } from "node:fs/promises";
import { parseEnvOrExit } from "@catalog/config";
import { createDb } from "@catalog/db";
import { armFailpoints } from "@catalog/failpoints";
import {
  closeImportQueues,
  countStuckJobs,
  createImportQueues,
  type RetryPolicy,
} from "@catalog/jobs";
import { createLogger, createMetrics } from "@catalog/observability";
import {
  createProducerConnection,
  createWorkerConnection,
  LEGACY_MAINTENANCE_QUEUE,
  QUEUE_NAMES,
  throttledErrorListener,
} from "@catalog/queue";
import { createS3Client, pingBucket, s3SettingsFromEnv } from "@catalog/storage";
import { type ConnectionOptions, Queue } from "bullmq";
import { sql } from "kysely";
import { workerConcurrency, workerEnvShape } from "./env";
import { commitImport } from "./handlers/commit-import";
import { runRetention } from "./handlers/apply-retention";
import { reapJobs } from "./handlers/reap-jobs";
import { reportImport } from "./handlers/report-import";
import { revertImport } from "./handlers/revert-import";
import { validateImport } from "./handlers/validate-import";
import { createHeapRelease } from "./heap-release";
import { startImportWorkers } from "./import-workers";
import { startMaintenance } from "./maintenance/maintenance-loop";
import { startMetricsServer } from "./metrics-server";
import { refreshQueueMetrics } from "./queue-metrics";
import { createScratchFolder, removeOrphanScratchFolders } from "./scratch-folder";
import { webhookKey } from "./webhooks/webhook-signature";
import { startWebhookWorker } from "./webhooks/webhook-worker";
import type { WorkerDependencies } from "./worker-dependencies";

async function main(): Promise<void> {
  const env = parseEnvOrExit(workerEnvShape);
  const logger = createLogger("worker", env.LOG_LEVEL);
  if (env.HEARTBEAT_INTERVAL_S * 2 > env.STUCK_AFTER_S) {
    process.stderr.write(
      `HEARTBEAT_INTERVAL_S (${env.HEARTBEAT_INTERVAL_S}) must be at most half of STUCK_AFTER_S (${env.STUCK_AFTER_S}): live jobs would be reaped\n`,
    );
    process.exit(78);
  }
  if (env.CATALOG_FAILPOINTS.length > 0) {
    armFailpoints(env.CATALOG_FAILPOINTS, logger);
    logger.warn({ failpoints: env.CATALOG_FAILPOINTS }, "Failpoints armed (test only)");
  }
  // Files a killed worker on this host left behind go before this one makes its own.
  const orphans = await removeOrphanScratchFolders();
  if (orphans.length > 0) {
    logger.warn(
      { folders: orphans },
      "Removed the scratch folders of worker processes that are gone",
    );
  }
  const scratchFolder = await createScratchFolder();
  const db = createDb({
    url: env.DATABASE_URL,
    poolSize: env.DATABASE_POOL_SIZE,
    applicationName: "catalog-import-worker",
    onConnectionError: (error) => logger.warn({ err: error }, "Postgres connection lost"),
  });
  const deps: WorkerDependencies = {
    scratchFolder,
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
  const onRedisError = throttledErrorListener((error, repeats) =>
    logger.warn({ err: error, repeats }, "Redis connection error"),
  );
  // Consumers block on Redis and wait through an outage; the reaper and the
  // depth gauge use a fail-fast connection, so an outage fails their run
  // instead of stalling the maintenance loop.
  const connection = createWorkerConnection(env.REDIS_URL, { onError: onRedisError });
  const producer = createProducerConnection(env.REDIS_URL, { onError: onRedisError });
  const retry: RetryPolicy = {
    attempts: env.RETRY_ATTEMPTS,
    unexpectedAttempts: Math.min(3, env.RETRY_ATTEMPTS),
    baseDelayMs: env.RETRY_BASE_DELAY_MS,
    maxDelayMs: env.RETRY_MAX_DELAY_MS,
  };
  const locks = {
    lockDurationMs: env.QUEUE_LOCK_DURATION_S * 1000,
    stalledIntervalMs: env.QUEUE_STALLED_INTERVAL_S * 1000,
  };
  // The handlers enqueue the report work after validation and after commit.
  const queues = createImportQueues(producer, env.QUEUE_PREFIX);
  deps.queues = queues;
  const handlers = {
    validate: validateImport,
    commit: commitImport,
    revert: revertImport,
    report: reportImport,
  };
  const concurrency = workerConcurrency(env);
  logger.info(
    { ...concurrency, processes_per_host: env.WORKER_PROCESSES_PER_HOST },
    "Worker concurrency",
  );
  const workers = startImportWorkers(handlers, deps, {
    connection,
    prefix: env.QUEUE_PREFIX,
    // Reports are validation-sized work (the whole snapshot, streamed out): as many at once.
    concurrency: { ...concurrency, revert: 1, report: concurrency.validate },
    retry,
    heartbeatMs: env.HEARTBEAT_INTERVAL_S * 1000,
    locks,
    heapRelease: createHeapRelease({
      thresholdBytes: env.WORKER_HEAP_RELEASE_MIB * 1024 * 1024,
      logger,
    }),
  });

  void removeLegacyMaintenanceSchedules(producer, env.QUEUE_PREFIX);
  // Maintenance: periodic tasks run by one worker at a time, chosen through Postgres.
  const maintenance = startMaintenance({
    databaseUrl: env.DATABASE_URL,
    logger,
    tickMs: env.MAINTENANCE_TICK_S * 1000,
    tasks: [
      {
        name: "reaper",
        everyMs: env.REAPER_INTERVAL_S * 1000,
        run: () => reapJobs(deps, queues, env.STUCK_AFTER_S, { lostAfterS: env.LOST_WORK_AFTER_S }),
      },
      {
        name: "retention",
        everyMs: env.RETENTION_INTERVAL_S * 1000,
        // A large deletion may take a while (it runs beside the reaper, not before it).
        timeoutMs: 10 * 60_000,
        run: () => runRetention(deps, env.SNAPSHOT_RETENTION_DAYS),
      },
    ],
  });

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
          locks,
        },
      )
    : undefined;
  if (!webhooks) logger.warn("WEBHOOK_SECRET is unset: webhook events are recorded, not sent");

  const metricsServer = await startMetricsServer(deps.metrics.registry, env.WORKER_METRICS_PORT, {
    postgres: () => sql`SELECT 1`.execute(deps.db),
    redis: () => producer.ping(),
    s3: (signal) => pingBucket(deps.store, signal),
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
    await maintenance.stop();
    await closeImportQueues(queues).catch(() => undefined);
    await Promise.allSettled([deps.db.destroy(), connection.quit(), producer.quit()]);
    deps.store.client.destroy();
    await rm(scratchFolder, { recursive: true, force: true });
    logger.info("Worker stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

/**
 * Best effort: an earlier version kept the reaper's and the retention's
 * schedules in Redis (BullMQ job schedulers); left there they would fill a
 * queue nobody reads.
 */
async function removeLegacyMaintenanceSchedules(connection: ConnectionOptions, prefix: string) {
  const legacy = new Queue(LEGACY_MAINTENANCE_QUEUE, { connection, prefix });
  legacy.on("error", () => undefined);
  for (const id of ["reaper", "retention"])
    await legacy.removeJobScheduler(id).catch(() => undefined);
  await legacy.obliterate({ force: true }).catch(() => undefined);
  await legacy.close().catch(() => undefined);
}

void main();
