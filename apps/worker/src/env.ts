/** The worker process's settings, parsed once at start. */
import { databaseEnv, limitsEnv, logEnv, port, redisEnv, s3Env } from "@catalog/config";
import { z } from "zod";

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().pipe(z.number().int().min(min).max(max));
const concurrency = int(1, 64);

export const workerEnvShape = {
  ...databaseEnv,
  ...redisEnv,
  ...s3Env,
  ...limitsEnv,
  ...logEnv,
  /** Port of this worker's /metrics, /healthz and /readyz; 0 picks a free one (several workers on one host). */
  WORKER_METRICS_PORT: port(9100),
  /** Validations one worker process runs at once (CPU-bound parsing: keep near the core count). */
  VALIDATE_CONCURRENCY: concurrency.default(2),
  /** Commits one worker process runs at once (each holds one Postgres transaction). */
  COMMIT_CONCURRENCY: concurrency.default(2),
  /** Seconds SIGTERM waits for jobs in progress before closing anyway. */
  SHUTDOWN_GRACE_S: int(1).default(60),
  /**
   * Attempts at work failing for an infrastructure outage (Postgres, S3, Redis),
   * the first included. With the default backoff, 10 attempts wait about five
   * minutes in all; then the job fails with the outage's code, retryable.
   */
  RETRY_ATTEMPTS: int(1, 40).default(10),
  /** Milliseconds before the first retry; each next one waits twice as long, up to RETRY_MAX_DELAY_MS. */
  RETRY_BASE_DELAY_MS: int(100).default(2_000),
  /** Longest wait between two attempts, in milliseconds. */
  RETRY_MAX_DELAY_MS: int(100).default(60_000),
  /**
   * Seconds between two heartbeats of a job in progress. Keep it well under
   * STUCK_AFTER_S: a job without a heartbeat for that long is reaped.
   */
  HEARTBEAT_INTERVAL_S: int(1, 600).default(15),
  /** Seconds between two runs of the reaper (on whichever worker leads maintenance). */
  REAPER_INTERVAL_S: int(1).default(30),
  /**
   * Seconds a job must have waited for a worker (pending, or a commit requested)
   * before a missing queue job counts as lost and is re-enqueued. Lost work is
   * back in a queue within LOST_WORK_AFTER_S + REAPER_INTERVAL_S + MAINTENANCE_TICK_S.
   */
  LOST_WORK_AFTER_S: int(1).default(60),
  /** Seconds between maintenance ticks: how soon another worker takes over maintenance from a dead one. */
  MAINTENANCE_TICK_S: int(1, 300).default(5),
};

export type WorkerEnv = z.infer<z.ZodObject<typeof workerEnvShape>>;
