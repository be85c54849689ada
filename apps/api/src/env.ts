/** The API process's settings, parsed once at start (see {@link parseEnvOrExit}). */
import { databaseEnv, limitsEnv, logEnv, port, redisEnv, s3Env } from "@catalog/config";
import { z } from "zod";

export const apiEnvShape = {
  ...databaseEnv,
  ...redisEnv,
  ...s3Env,
  ...limitsEnv,
  ...logEnv,
  /** Port the HTTP API listens on. */
  PORT: port(3000),
  /** Address the HTTP API binds to; 0.0.0.0 in containers. */
  HOST: z.string().min(1).default("127.0.0.1"),
  /** Public base URL used in job links; defaults to http://HOST:PORT. */
  PUBLIC_BASE_URL: z.url().optional(),
  /**
   * Hours an Idempotency-Key is remembered; after that the same key makes a new
   * job. Fractions allowed.
   */
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(24),
  /**
   * Hosts an `http://` callback_url may name (comma-separated); any https:// URL
   * is accepted. Keeps callbacks out of private networks by default.
   */
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default("127.0.0.1,localhost")
    .transform((value) =>
      value
        .split(",")
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
    ),
};

export type ApiEnv = z.infer<z.ZodObject<typeof apiEnvShape>>;
