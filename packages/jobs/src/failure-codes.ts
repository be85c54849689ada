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
  /** The work could not be enqueued (Redis unreachable) when the job was created. */
  "QUEUE_UNAVAILABLE",
  /** A revert was refused: a later change touched rows this job wrote (status unchanged). */
  "REVERT_CONFLICT",
  /** The reaper found the job stuck past STUCK_AFTER_S with no worker holding it. */
  "STUCK_JOB_REAPED",
  /** An operator failed the job by hand (`importctl fail`). */
  "MANUALLY_FAILED",
  /** An unexpected error that survived every retry; details are in the logs. */
  "INTERNAL_ERROR",
] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];
