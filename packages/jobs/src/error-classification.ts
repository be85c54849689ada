/**
 * Why a piece of work failed, as the retry policy needs to know it:
 * - `transient`: an infrastructure outage (Postgres, S3 or Redis unreachable,
 *   a dropped connection, a timeout, a 5xx, a serialization failure). The same
 *   work may succeed later, so it is retried for minutes; when retries run out
 *   the job fails with the outage's own code, retryable.
 * - `unrecoverable`: the work can never succeed (a malformed snapshot, a commit
 *   that wrote other counts than planned). Attempted once; the job fails with
 *   the error's code, not retryable.
 * - `unexpected`: anything else (a bug). Retried a few times, then INTERNAL_ERROR.
 */
import { NETWORK_ERROR_CODES, StorageUnavailableError } from "@catalog/storage";
import { UnrecoverableError } from "bullmq";
import type { FailureCode } from "./failure-codes";

/** The codes a job fails with when an outage outlasts its retries. */
export type OutageCode = Extract<
  FailureCode,
  "STORAGE_UNAVAILABLE" | "DATABASE_UNAVAILABLE" | "QUEUE_UNAVAILABLE"
>;

export type ErrorClass =
  | { kind: "transient"; code: OutageCode }
  | { kind: "unrecoverable"; code: FailureCode; details?: unknown }
  | { kind: "unexpected" };

/**
 * A failure that retrying cannot fix. Extends BullMQ's UnrecoverableError, so a
 * queue never retries it, and carries the code the job fails with.
 */
export class UnrecoverableJobError extends UnrecoverableError {
  override readonly name = "UnrecoverableError";
  constructor(
    readonly code: FailureCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * SQLSTATEs of a session or transaction that failed for reasons outside the
 * statement: class 08 (connection exception, matched by prefix), the server
 * shutting down or not yet accepting connections (57P01 admin shutdown, 57P02
 * crash shutdown, 57P03 cannot connect now), serialization failure and deadlock
 * (40001, 40P01), too many connections and out of resources (53300, 53200, 53100).
 */
const TRANSIENT_SQLSTATES = new Set([
  "57P01",
  "57P02",
  "57P03",
  "40001",
  "40P01",
  "53300",
  "53200",
  "53100",
]);

/** What pg (the driver) says when a connection died or could not be made; these carry no SQLSTATE. */
const PG_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /timeout exceeded when trying to connect/,
  /^Query read timeout/,
];

/** What ioredis and BullMQ say when Redis is unreachable. */
const REDIS_MESSAGES = [
  /^Connection is closed/,
  /^Stream isn't writeable/,
  /^Reached the max retries per request limit/,
  /enableOfflineQueue options is false/,
];

interface ErrorShape {
  name?: string;
  code?: unknown;
  message?: string;
}

/** Whether `error` means Postgres was unreachable or dropped the session. */
export function isTransientDatabaseError(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const { code, message = "" } = error as ErrorShape;
  if (typeof code === "string") {
    if (TRANSIENT_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    if (NETWORK_ERROR_CODES.has(code)) return true;
  }
  return PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

/** Whether `error` means Redis was unreachable. */
export function isTransientQueueError(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const { name, message = "" } = error as ErrorShape;
  return name === "MaxRetriesPerRequestError" || REDIS_MESSAGES.some((p) => p.test(message));
}

/**
 * Classifies an error thrown out of a job's work. Storage errors are told apart
 * first (the object store wraps every S3 outage in a StorageUnavailableError);
 * a socket error that is not from S3 comes from Postgres, the only other
 * service a handler talks to.
 */
export function classifyError(error: unknown): ErrorClass {
  if (error instanceof UnrecoverableJobError)
    return { kind: "unrecoverable", code: error.code, details: error.details };
  if (error instanceof StorageUnavailableError)
    return { kind: "transient", code: "STORAGE_UNAVAILABLE" };
  if (isTransientQueueError(error)) return { kind: "transient", code: "QUEUE_UNAVAILABLE" };
  if (isTransientDatabaseError(error)) return { kind: "transient", code: "DATABASE_UNAVAILABLE" };
  return { kind: "unexpected" };
}
