/**
 * A reason to end a job `failed` (as opposed to an infrastructure error, which
 * the queue retries). File problems arrive as the core's FatalImportError.
 */
import { FatalImportError } from "@catalog/core";
import type { FailureCode } from "./failure-codes";

/** A job-ending failure raised around the core (integrity, drift, timeouts). */
export class JobFailure extends Error {
  override readonly name = "JobFailure";
  constructor(
    readonly code: FailureCode,
    message: string,
    readonly details?: unknown,
    /** Whether the same job may be attempted again (e.g. a commit timeout). */
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** The JobFailure `error` stands for, or undefined when it is not a job-ending error. */
export function asJobFailure(error: unknown): JobFailure | undefined {
  if (error instanceof JobFailure) return error;
  if (error instanceof FatalImportError)
    return new JobFailure(error.code, error.message, error.details ?? null);
  return undefined;
}
