/**
 * The S3 client, built once per process. Works against AWS S3, MinIO or the
 * embedded server used locally and in tests.
 *
 * Every request is bounded in time. Without timeouts the SDK waits forever on a
 * server that accepted the connection and then stopped answering (a hung or
 * frozen process, a black-holed network path): an upload would hang with it.
 */
import { S3Client } from "@aws-sdk/client-s3";

/** How long S3 requests may take; each has a default (see {@link S3_TIMEOUT_DEFAULTS}). */
export interface S3Timeouts {
  /** Milliseconds to establish a TCP connection. */
  connectTimeoutMs: number;
  /**
   * Milliseconds a socket may stay silent (nothing sent, nothing received) in
   * the middle of a request: what notices a server that stopped answering.
   * Keep it under 6 s: the SDK arms a longer one only 3 s into the request.
   */
  socketTimeoutMs: number;
  /** Milliseconds from sending a request to its response's headers, however busy the socket. */
  requestTimeoutMs: number;
  /**
   * Attempts per operation, the first included (the SDK retries timeouts,
   * connection errors, 5xx and throttling). Longer outages are the callers' to
   * wait out (a worker's job retries), so this stays small: an API request
   * must fail within `maxAttempts × socketTimeoutMs` plus a little backoff.
   */
  maxAttempts: number;
}

export const S3_TIMEOUT_DEFAULTS: S3Timeouts = {
  connectTimeoutMs: 3_000,
  socketTimeoutMs: 5_000,
  requestTimeoutMs: 60_000,
  maxAttempts: 2,
};

export interface S3Settings extends Partial<S3Timeouts> {
  /** Endpoint URL; unset means AWS S3 itself. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Path-style addressing, because S3-compatible servers rarely serve virtual-host
 * buckets on loopback. Checksums only when an operation requires them: with the
 * SDK's default (a CRC trailer on every upload, sent as aws-chunked encoding),
 * streamed uploads to S3-compatible servers can be stored with the chunk framing
 * inside the object, i.e. corrupted.
 */
export function createS3Client(settings: S3Settings): S3Client {
  const timeouts = s3Timeouts(settings);
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
    },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: timeouts.maxAttempts,
    requestHandler: {
      connectionTimeout: timeouts.connectTimeoutMs,
      socketTimeout: timeouts.socketTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      // Without this a request past requestTimeout only logs a warning.
      throwOnRequestTimeout: true,
    },
  });
}

/** The timeouts of `settings`, defaults filled in. */
export function s3Timeouts(settings: Partial<S3Timeouts>): S3Timeouts {
  return {
    connectTimeoutMs: settings.connectTimeoutMs ?? S3_TIMEOUT_DEFAULTS.connectTimeoutMs,
    socketTimeoutMs: settings.socketTimeoutMs ?? S3_TIMEOUT_DEFAULTS.socketTimeoutMs,
    requestTimeoutMs: settings.requestTimeoutMs ?? S3_TIMEOUT_DEFAULTS.requestTimeoutMs,
    maxAttempts: settings.maxAttempts ?? S3_TIMEOUT_DEFAULTS.maxAttempts,
  };
}

/** The S3 variables of an app's parsed environment (see @catalog/config's s3Env). */
export interface S3Env {
  S3_ENDPOINT?: string;
  S3_REGION: string;
  S3_BUCKET: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
  S3_CONNECT_TIMEOUT_MS?: number;
  S3_SOCKET_TIMEOUT_MS?: number;
  S3_REQUEST_TIMEOUT_MS?: number;
  S3_MAX_ATTEMPTS?: number;
}

/** S3 settings from a parsed environment. */
export function s3SettingsFromEnv(env: S3Env): S3Settings {
  return {
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    bucket: env.S3_BUCKET,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    connectTimeoutMs: env.S3_CONNECT_TIMEOUT_MS,
    socketTimeoutMs: env.S3_SOCKET_TIMEOUT_MS,
    requestTimeoutMs: env.S3_REQUEST_TIMEOUT_MS,
    maxAttempts: env.S3_MAX_ATTEMPTS,
  };
}
