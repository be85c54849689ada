/**
 * Telling an S3 outage from an S3 answer. A timeout, a refused or reset
 * connection, a 5xx or a throttling answer says nothing about the request: the
 * same request may succeed later, so callers retry it (a worker's job) or answer
 * 503 (the API). Anything else (no such key, access denied) is an answer.
 */

/** Socket error codes of a connection that failed or broke (any service's). */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ERR_STREAM_PREMATURE_CLOSE",
]);

/** S3 error names that mean "try again later". */
const TRANSIENT_S3_ERRORS = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalError",
  "ServiceUnavailable",
  "SlowDown",
  "Throttling",
  "ThrottlingException",
]);

interface ErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** Whether `error` from an S3 call means S3 was unreachable or unwell, not that it refused. */
export function isTransientStorageError(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return true;
  if (!error || typeof error !== "object") return false;
  const shape = error as ErrorShape;
  if (shape.name && TRANSIENT_S3_ERRORS.has(shape.name)) return true;
  if (shape.code && NETWORK_ERROR_CODES.has(shape.code)) return true;
  if (shape.$retryable) return true;
  const status = shape.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  // A response body cut short ("aborted") or a socket error wrapped by a stream.
  if (shape.message === "aborted") return true;
  // The SDK rewraps an error that is not an `Error` of its own realm (e.g. one
  // from Node's internals seen inside a vm sandbox such as jest's) as a plain
  // message, keeping only the text: recognize the socket error code in it.
  const wrapped = /^AWS SDK error wrapper for .*\b(E[A-Z_]+)\b/.exec(shape.message ?? "");
  if (wrapped?.[1] && NETWORK_ERROR_CODES.has(wrapped[1])) return true;
  return shape.cause !== undefined && shape.cause !== error && isTransientStorageError(shape.cause);
}

/** S3 could not be reached, or answered with an outage; the same call may succeed later. */
export class StorageUnavailableError extends Error {
  override readonly name = "StorageUnavailableError";
  constructor(
    /** The S3 operation that failed, e.g. `GetObject`. */
    readonly operation: string,
    /** The object key, when the operation had one. */
    readonly key: string | undefined,
    override readonly cause: unknown,
  ) {
    super(
      `Object storage unavailable during ${operation}${key ? ` of ${key}` : ""}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
    );
  }
}

/** `error` as a StorageUnavailableError when it is an outage, else unchanged. */
export function asStorageError(error: unknown, operation: string, key?: string): unknown {
  if (error instanceof StorageUnavailableError || !isTransientStorageError(error)) return error;
  return new StorageUnavailableError(operation, key, error);
}
