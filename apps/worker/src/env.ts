/** The worker process's settings, parsed once at start. */
import { availableParallelism, totalmem } from "node:os";
import { databaseEnv, limitsEnv, logEnv, port, redisEnv, s3Env } from "@catalog/config";
import { FAILPOINT_NAMES } from "@catalog/failpoints";
import { z } from "zod";

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().pipe(z.number().int().min(min).max(max));
const concurrency = int(1, 64);

/** A comma-separated list of seconds (fractions allowed). */
const secondsList = z
  .string()
  .regex(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, "a comma-separated list of seconds")
  .transform((value) => value.split(",").map((item) => Number(item.trim()) * 1000));

/** Standard Webhooks secrets are `whsec_` and the base64 of at least 24 bytes. */
const webhookSecret = z
  .string()
  .regex(
    /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/,
    "WEBHOOK_SECRET must be whsec_<base64 of >= 24 bytes>",
  );

/** Memory set aside per validation of a file at the default limits (a worker validating 10k rows peaks near 230 MiB). */
export const VALIDATION_MEMORY_MIB = 512;
/** Peak memory one commit at the default limits may take. */
export const COMMIT_MEMORY_MIB = 256;

/** What the concurrency defaults look at. */
export interface Machine {
  cores: number;
  memoryBytes: number;
}

/** This machine: the cores Node may use, the memory (a cgroup's limit when there is one). */
export function thisMachine(): Machine {
  const constrained = process.constrainedMemory?.() ?? 0;
  const total = totalmem();
  return {
    cores: availableParallelism(),
    memoryBytes: constrained > 0 && constrained < total ? constrained : total,
  };
}

/**
 * The validations and commits one worker process runs at once: the settings when
 * given, otherwise from its share of the machine (WORKER_PROCESSES_PER_HOST):
 * validations up to its cores and its memory, commits twice that (they wait on
 * Postgres more than they compute), within its memory.
 */
export function workerConcurrency(
  env: {
    WORKER_PROCESSES_PER_HOST: number;
    VALIDATE_CONCURRENCY?: number | undefined;
    COMMIT_CONCURRENCY?: number | undefined;
  },
  machine: Machine = thisMachine(),
): { validate: number; commit: number } {
  const processes = env.WORKER_PROCESSES_PER_HOST;
  const memoryMib = machine.memoryBytes / processes / 1024 / 1024;
  const cores = Math.floor(machine.cores / processes);
  const validate = Math.max(1, Math.min(cores, Math.floor(memoryMib / VALIDATION_MEMORY_MIB), 64));
  const commit = Math.max(1, Math.min(2 * validate, Math.floor(memoryMib / COMMIT_MEMORY_MIB), 64));
  return {
    validate: env.VALIDATE_CONCURRENCY ?? validate,
    commit: env.COMMIT_CONCURRENCY ?? commit,
  };
}

export const workerEnvShape = {
  ...databaseEnv,
  ...redisEnv,
  ...s3Env,
  ...limitsEnv,
  ...logEnv,
  /** Port of this worker's /metrics, /healthz and /readyz; 0 picks a free one (several workers on one host). */
  WORKER_METRICS_PORT: port(9100),
  /**
   * How many worker processes share this machine: the concurrency defaults below
   * divide its cores and memory among them. `npm start` sets it.
   */
  WORKER_PROCESSES_PER_HOST: int(1, 256).default(1),
  /**
   * Validations one worker process runs at once. Default: its share of the cores
   * (parsing is CPU-bound), at most one per VALIDATION_MEMORY_MIB of its share of
   * the memory, at least 1 (see {@link workerConcurrency}).
   */
  VALIDATE_CONCURRENCY: concurrency.optional(),
  /**
   * Commits one worker process runs at once (each holds one Postgres transaction
   * and mostly waits on it; commits of disjoint rows run together). Default: twice
   * the validations, at most one per COMMIT_MEMORY_MIB of its memory share.
   */
  COMMIT_CONCURRENCY: concurrency.optional(),
  /** Seconds between two runs of the reaper (stuck jobs, lost queue work), on whichever worker leads maintenance. */
  REAPER_INTERVAL_S: z.coerce.number().pipe(z.number().int().min(1)).default(60),
  /** Seconds between two runs of the retention (inputs, reports, snapshots past SNAPSHOT_RETENTION_DAYS), a maintenance task too. */
  RETENTION_INTERVAL_S: z.coerce.number().pipe(z.number().int().min(60)).default(86_400),
  /**
   * MiB of V8 heap from which a worker that went idle (no job in hand for 2 s) runs
   * a full collection, so that the heap a large job grew is handed back to the
   * system (heap-release.ts); 0 turns it off. An idle worker's heap (V8's heapTotal,
   * code included) is 90–120 MiB after a collection; a 50,000-row validation and its
   * report grow it to 230–290.
   */
  WORKER_HEAP_RELEASE_MIB: int(0).default(128),
  /** Seconds between two readings of the queue depth for the metrics. */
  QUEUE_METRICS_INTERVAL_S: z.coerce.number().pipe(z.number().positive()).default(15),
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
  /**
   * Seconds a job must have waited for a worker (pending, or a commit requested)
   * before a missing queue job counts as lost and is re-enqueued. Lost work is
   * back in a queue within LOST_WORK_AFTER_S + REAPER_INTERVAL_S + MAINTENANCE_TICK_S.
   */
  LOST_WORK_AFTER_S: int(1).default(60),
  /** Seconds between maintenance ticks: how soon another worker takes over maintenance from a dead one. */
  MAINTENANCE_TICK_S: int(1, 300).default(5),
  /**
   * Seconds a queue job's lock lasts (BullMQ's lockDuration). A live worker renews
   * it every half of this, whatever its handler is doing; when the worker dies,
   * its work is redelivered once the lock has expired and a stalled check has
   * seen it: within about QUEUE_LOCK_DURATION_S + QUEUE_STALLED_INTERVAL_S. Keep
   * it well above the longest pause a busy process's event loop can take: a lock
   * that lapses under a live worker delivers its work a second time.
   */
  QUEUE_LOCK_DURATION_S: z.coerce.number().pipe(z.number().min(1).max(600)).default(30),
  /** Seconds between two checks for stalled queue jobs (BullMQ's stalledInterval; fractions allowed). */
  QUEUE_STALLED_INTERVAL_S: z.coerce.number().pipe(z.number().min(0.1).max(600)).default(30),
  /**
   * Key that signs webhooks (Standard Webhooks, `whsec_<base64>`); `npm start`
   * generates one under .data. Unset: events are recorded but not delivered
   * until a worker with a secret runs.
   */
  WEBHOOK_SECRET: webhookSecret.optional(),
  /**
   * The API's public base URL, for the links in webhook payloads; defaults to
   * http://HOST:PORT, the API's own default, read from the same variables.
   */
  PUBLIC_BASE_URL: z.url().optional(),
  /** The API's address (only for PUBLIC_BASE_URL's default). */
  HOST: z.string().min(1).default("127.0.0.1"),
  /** The API's port (only for PUBLIC_BASE_URL's default). */
  PORT: port(3000),
  /**
   * Seconds before each retry of a failed webhook attempt (one attempt more than
   * delays); the default spreads 11 attempts over about 24 hours.
   */
  WEBHOOK_RETRY_DELAYS_S: secondsList.default(
    [5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 28_800].map((seconds) => seconds * 1000),
  ),
  /** Seconds one webhook attempt may take before it counts as failed. */
  WEBHOOK_TIMEOUT_S: z.coerce.number().positive().max(300).default(10),
  /** Hours after an event past which it is no longer attempted. */
  WEBHOOK_RETRY_WINDOW_H: z.coerce.number().positive().default(24),
  /** Webhook deliveries one worker process sends at once. */
  WEBHOOK_CONCURRENCY: concurrency.default(4),
  /**
   * TEST ONLY: comma-separated failpoints (packages/failpoints) at which this
   * process stops the first delivery of a job's work, for the kill suite to
   * SIGKILL it there. Never set in production.
   */
  CATALOG_FAILPOINTS: z
    .string()
    .transform((value) =>
      value
        .split(",")
        .map((name) => name.trim())
        .filter((name) => name !== ""),
    )
    .pipe(z.array(z.enum(FAILPOINT_NAMES)))
    .default([]),
};

export type WorkerEnv = z.infer<z.ZodObject<typeof workerEnvShape>>;
