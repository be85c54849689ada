/**
 * Environment variables shared by several processes, as zod schema fragments. Each
 * app composes the fragments it needs into its own `env.ts` and parses
 * `process.env` once at start (see {@link parseEnv}). Defaults are the local ones
 * of SPEC §1 and §12, so a fresh machine runs with no settings at all.
 */
import { z } from "zod";

/** An integer from an env string; rejects "abc", "1.5", "". */
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().pipe(z.number().int().min(min).max(max));

/** A boolean env flag: "1"/"true"/"yes" or "0"/"false"/"no". */
export const envBoolean = z
  .enum(["1", "0", "true", "false", "yes", "no"])
  .transform((value) => value === "1" || value === "true" || value === "yes");

/** Postgres: the source of truth for catalog and job state. */
export const databaseEnv = {
  /** Connection string of the service's database; created by the start script when missing. */
  DATABASE_URL: z.url().default("postgres://postgres@127.0.0.1:5432/catalog_import"),
  /** Connections per process in the pool. */
  DATABASE_POOL_SIZE: int(1, 100).default(10),
};

/**
 * A Redis Cluster hash tag: a non-empty `{…}`. Redis hashes only the text between a
 * key's first `{` and the first `}` after it, so every key starting with such a
 * prefix falls in the same hash slot.
 */
const HASH_TAG = /^[^{]*\{[^}]+\}/;

/** Redis: carries work (BullMQ queues), never state. */
export const redisEnv = {
  /**
   * Redis for the BullMQ queues: `redis://host:port` (or `rediss://`) for one server,
   * `redis+cluster://host:port` (or `rediss+cluster://`) for a Redis Cluster, naming
   * any one of its nodes (or a configuration endpoint); the client discovers the rest.
   */
  REDIS_URL: z.url().default("redis://127.0.0.1:6379"),
  /**
   * Key prefix of every BullMQ key; lets several deployments (or test files) share one
   * Redis. It must hold a hash tag (`{…}`): BullMQ's Lua scripts touch several keys of
   * a queue at once, which a Redis Cluster allows only within one hash slot. Required
   * on a single server too, so that moving to a cluster changes no key.
   */
  QUEUE_PREFIX: z
    .string()
    .regex(HASH_TAG, "must hold a Redis Cluster hash tag, e.g. {catalog-import}")
    .default("{catalog-import}"),
};

/** Object storage (S3 or any S3-compatible server). */
export const s3Env = {
  /**
   * S3 endpoint URL. Unset: real AWS S3, except under the start script, which runs
   * an embedded S3-compatible server and sets this to it.
   */
  S3_ENDPOINT: z.url().optional(),
  /** Bucket holding inputs, snapshots and reports. */
  S3_BUCKET: z.string().min(3).default("catalog-imports"),
  /** Region used to sign requests. */
  S3_REGION: z.string().min(1).default("us-east-1"),
  /** Access key id (the embedded server accepts S3RVER). */
  S3_ACCESS_KEY_ID: z.string().min(1).default("S3RVER"),
  /** Secret access key (the embedded server accepts S3RVER). */
  S3_SECRET_ACCESS_KEY: z.string().min(1).default("S3RVER"),
};

/** Import limits of SPEC §12. */
export const limitsEnv = {
  /** Largest accepted upload, in bytes; larger uploads are refused with 413 while streaming. */
  MAX_FILE_BYTES: int(1).default(10 * 1024 * 1024),
  /** Most distinct products one file may hold (ROW_LIMIT_EXCEEDED above). */
  MAX_PRODUCTS: int(1).default(5_000),
  /** Most variant rows one file may hold (ROW_LIMIT_EXCEEDED above). */
  MAX_VARIANTS: int(1).default(10_000),
  /** Most specs per variant (TOO_MANY_SPECS above). */
  MAX_SPECS_PER_VARIANT: int(1, 1000).default(50),
  /** Most bytes an XLSX may inflate to (UNCOMPRESSED_SIZE_EXCEEDED above): decompression bombs. */
  MAX_UNCOMPRESSED_BYTES: int(1).default(100 * 1024 * 1024),
  /** Seconds a validation may run before it fails with VALIDATION_TIMEOUT. */
  VALIDATION_TIMEOUT_S: int(1).default(120),
  /** Seconds a commit may run before it is rolled back with COMMIT_TIMEOUT. */
  COMMIT_TIMEOUT_S: int(1).default(300),
  /** Seconds after which a job still pending/validating/running counts as stuck. */
  STUCK_AFTER_S: int(60).default(1_800),
  /** Days snapshots are kept before `importctl snapshots cleanup` may delete them. */
  SNAPSHOT_RETENTION_DAYS: int(1).default(90),
};

/** Logging. */
export const logEnv = {
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
};

/** An HTTP port number. */
export const port = (fallback: number) => int(0, 65_535).default(fallback);
