/** The worker process's settings, parsed once at start. */
import { databaseEnv, limitsEnv, logEnv, port, redisEnv, s3Env } from "@catalog/config";
import { z } from "zod";

const concurrency = z.coerce.number().pipe(z.number().int().min(1).max(64));

export const workerEnvShape = {
  ...databaseEnv,
  ...redisEnv,
  ...s3Env,
  ...limitsEnv,
  ...logEnv,
  /** Port of this worker's /metrics endpoint; 0 picks a free one (several workers on one host). */
  WORKER_METRICS_PORT: port(9100),
  /** Validations one worker process runs at once (CPU-bound parsing: keep near the core count). */
  VALIDATE_CONCURRENCY: concurrency.default(2),
  /** Commits one worker process runs at once (each holds one Postgres transaction). */
  COMMIT_CONCURRENCY: concurrency.default(2),
  /** Seconds between two runs of the reaper (stuck jobs, lost queue work). */
  REAPER_INTERVAL_S: z.coerce.number().pipe(z.number().int().min(1)).default(60),
  /** Seconds between two runs of the retention (inputs, reports, snapshots past SNAPSHOT_RETENTION_DAYS). */
  RETENTION_INTERVAL_S: z.coerce.number().pipe(z.number().int().min(60)).default(86_400),
  /** Seconds between two readings of the queue depth for the metrics. */
  QUEUE_METRICS_INTERVAL_S: z.coerce.number().pipe(z.number().positive()).default(15),
  /** Seconds SIGTERM waits for jobs in progress before closing anyway. */
  SHUTDOWN_GRACE_S: z.coerce.number().pipe(z.number().int().min(1)).default(60),
};

export type WorkerEnv = z.infer<z.ZodObject<typeof workerEnvShape>>;
