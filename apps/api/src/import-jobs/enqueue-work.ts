/**
 * Enqueueing from the API. The producer connection fails fast when Redis is
 * down, and the enqueue is bounded by a timeout as well, so a request answers
 * 503 within seconds instead of hanging. A job whose validation could not be
 * enqueued is failed with QUEUE_UNAVAILABLE rather than left `pending` with no
 * work in any queue.
 */
import type { Database, ImportJob } from "@catalog/db";
import {
  enqueueImportWork,
  failUnqueued,
  type ImportQueues,
  releaseIdempotencyKey,
} from "@catalog/jobs";
import { type QueueKind, queueJobId } from "@catalog/queue";
import type { Kysely } from "kysely";
import { AppError } from "../errors";

const ENQUEUE_TIMEOUT_MS = 5_000;

/**
 * Removes a finished queue job with this id, so the same work can be enqueued
 * again: BullMQ keeps finished jobs for a while (removeOnComplete/removeOnFail),
 * and a job id that still exists makes `add` a no-op.
 */
async function removeFinished(queues: ImportQueues, kind: QueueKind, jobId: string): Promise<void> {
  const previous = await queues[kind].getJob(jobId);
  if (!previous) return;
  const state = await previous.getState();
  if (state === "completed" || state === "failed") await previous.remove();
}

/**
 * Enqueues `kind` work for `importId` or throws 503 UNAVAILABLE. With
 * `replaceFinished`, a finished queue job of the same id is removed first (for
 * work that may legitimately run again under the same id, e.g. a revert retried
 * after a conflict was resolved).
 */
export async function enqueueOrUnavailable(
  queues: ImportQueues,
  kind: QueueKind,
  importId: string,
  { attempt = 0, replaceFinished = false } = {},
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("enqueue timed out")), ENQUEUE_TIMEOUT_MS);
  });
  const enqueue = async () => {
    if (replaceFinished) await removeFinished(queues, kind, queueJobId(kind, importId, attempt));
    await enqueueImportWork(queues, kind, importId, attempt);
  };
  try {
    await Promise.race([enqueue(), timeout]);
  } catch (error) {
    throw new AppError("UNAVAILABLE", `The ${kind} queue is unavailable; try again later`, {
      cause: error instanceof Error ? error.message : String(error),
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Enqueues the validation of a new `pending` job. When that fails, the job is
 * failed with QUEUE_UNAVAILABLE and loses its Idempotency-Key (a 503 is not an
 * answer to replay: retrying with the same key must make a new job), then 503.
 */
export async function startValidation(
  deps: { db: Kysely<Database>; queues: ImportQueues },
  job: ImportJob,
): Promise<void> {
  try {
    await enqueueOrUnavailable(deps.queues, "validate", job.id);
  } catch (error) {
    await failUnqueued(deps.db, job.id, {
      code: "QUEUE_UNAVAILABLE",
      message: "The validation could not be enqueued: the queue (Redis) is unavailable",
    });
    if (job.idempotency_key) {
      await releaseIdempotencyKey(deps.db, job.created_by, job.idempotency_key);
    }
    throw error;
  }
}
