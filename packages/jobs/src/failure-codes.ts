/**
 * Why a job ended `failed`: `failure_code` is always one of these. File problems
 * come from the core and readers (FATAL_CODES); the rest are raised around them.
 */
import { FATAL_CODES } from "@catalog/core";

export const FAILURE_CODES = [
  ...FATAL_CODES,
  /** The input object's bytes no longer hash to the file_hash recorded at upload. */
  "INPUT_INTEGRITY_FAILED",
  /** The snapshot's bytes do not hash to the snapshot_hash recorded at validation. */
  "SNAPSHOT_INTEGRITY_FAILED",
  /** The catalog changed since validation in a way the plan depends on; nothing was written. */
  "SNAPSHOT_STALE",
  /** The commit ran past COMMIT_TIMEOUT_S and was rolled back. Retryable. */
  "COMMIT_TIMEOUT",
  /**
   * The snapshot could not be read as one (not JSON, another format, a bad shape,
   * or none recorded). Never retried: the same bytes fail the same way.
   */
  "SNAPSHOT_INVALID",
  /**
   * The commit wrote other counts than its plan promised, so it was rolled back.
   * Never retried: the same plan on the same catalog does the same; a bug to report.
   */
  "COMMIT_COUNT_MISMATCH",
  /**
   * Object storage was unreachable or failing (timeouts, refused connections,
   * 5xx) through every retry. Retryable: revalidate, or commit again, once it is back.
   */
  "STORAGE_UNAVAILABLE",
  /**
   * Postgres was unreachable or dropped the connection (a restart, a failover,
   * terminated sessions) through every retry. Retryable, as STORAGE_UNAVAILABLE.
   */
  "DATABASE_UNAVAILABLE",
  /** The work could not be enqueued (Redis unreachable), at upload or through every retry. */
  "QUEUE_UNAVAILABLE",
  /** A revert was refused: a later change touched rows this job wrote (status unchanged). */
  "REVERT_CONFLICT",
  /** The reaper found the job stuck past STUCK_AFTER_S with no worker holding it. */
  "STUCK_JOB_REAPED",
  /** An operator failed the job by hand (`importctl fail`). */
  "MANUALLY_FAILED",
  /** An unexpected error (a bug) that survived its few retries; details are in the logs. */
  "INTERNAL_ERROR",
] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];
