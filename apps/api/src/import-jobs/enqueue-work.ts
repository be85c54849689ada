/**
 * Enqueueing a new job's validation from the API (bounded by enqueueWithin's
 * timeout, so a request answers 503 within seconds when Redis is down). A job
 * whose validation could not be enqueued is failed with QUEUE_UNAVAILABLE rather
 * than left `pending` with no work in any queue.
 */
import type { Database, ImportJob } from "@catalog/db";
import {
  enqueueWithin,
  failUnqueued,
  type ImportQueues,
  releaseIdempotencyKey,
} from "@catalog/jobs";
import type { Kysely } from "kysely";

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
    await enqueueWithin(deps.queues, "validate", job.id, { requestId: job.request_id });
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
