/** The worker process's settings, parsed once at start. */
import { databaseEnv, limitsEnv, logEnv, port, redisEnv, s3Env } from "@catalog/config";
import { z } from "zod";

const concurrency = z.coerce.number().pipe(z.number().int().min(1).max(64));

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
};

export type WorkerEnv = z.infer<z.ZodObject<typeof workerEnvShape>>;
