/**
 * Asking for a job's commit or revert, the same way whoever asks: the API's
 * `POST …/commit/` and `POST …/revert/`, and importctl's `retry` and `revert`.
 * The same checks, the same conditional transition, the same queue work. A
 * refusal is a {@link WorkRequestRefused} with a code the API maps to its
 * HTTP status and importctl prints.
 *
 * Enqueueing is bounded by a timeout (the producer's Redis connection fails
 * fast too), so a caller is answered within seconds when Redis is down.
 */
import type { Database, ImportJob, JobStatus } from "@catalog/db";
import { type QueueKind, queueJobId } from "@catalog/queue";
import type { Kysely } from "kysely";
import { releaseCommitRequest, renewCommitRequest, requestCommit } from "./job-lifecycle";
import { enqueueImportWork, hasLiveQueueJob, type ImportQueues } from "./job-queues";

/** Why a request was refused; each is one HTTP status in the API. */
export type WorkRequestRefusalCode =
  /** The job is not in a state that allows it (409). */
  | "INVALID_STATE"
  /** Understood but refused: row errors without allow_partial (422). */
  | "UNPROCESSABLE"
  /** The queue (Redis) could not take the work; nothing changed (503). */
  | "UNAVAILABLE";

/** A refused commit or revert request. */
export class WorkRequestRefused extends Error {
  override readonly name = "WorkRequestRefused";
  constructor(
    readonly code: WorkRequestRefusalCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Who asks and where the work goes. */
export interface WorkRequestDeps {
  db: Kysely<Database>;
  queues: ImportQueues;
}

/** How long an enqueue may take before the request is refused as UNAVAILABLE. */
export const ENQUEUE_TIMEOUT_MS = 5_000;

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
 * Enqueues `kind` work for `importId` within ENQUEUE_TIMEOUT_MS, or throws
 * UNAVAILABLE. With `replaceFinished`, a finished queue job of the same id is
 * removed first (work that may legitimately run again under the same id, e.g. a
 * revert retried after a conflict was resolved). `requestId` tags the worker's
 * log lines for the work.
 */
export async function enqueueWithin(
  queues: ImportQueues,
  kind: QueueKind,
  importId: string,
  {
    attempt = 0,
    replaceFinished = false,
    requestId,
  }: { attempt?: number; replaceFinished?: boolean; requestId?: string | null } = {},
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("enqueue timed out")), ENQUEUE_TIMEOUT_MS);
  });
  const enqueue = async () => {
    if (replaceFinished) await removeFinished(queues, kind, queueJobId(kind, importId, attempt));
    await enqueueImportWork(queues, kind, importId, attempt, requestId);
  };
  try {
    await Promise.race([enqueue(), timeout]);
  } catch (error) {
    throw new WorkRequestRefused(
      "UNAVAILABLE",
      `The ${kind} queue is unavailable; try again later`,
      {
        cause: error instanceof Error ? error.message : String(error),
      },
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why a job in this state can never be committed, or undefined. Whether a
 * commit was already requested is left to the conditional transition alone, so
 * there is one place that decides it.
 */
export function commitRefusal(job: ImportJob): string | undefined {
  if (job.status === "validated") return undefined;
  if (job.status === "failed" && job.retryable) return undefined;
  if (job.status === "failed") return "This job failed for a reason a commit retry cannot fix";
  return `A ${job.status} job cannot be committed`;
}

/**
 * A request this old whose queue work will not run is stranded. A request just
 * taken is enqueued within seconds (or given back), so it is never mistaken.
 */
const STRANDED_AFTER_S = 30;

/**
 * The job with its stranded commit request renewed (a new attempt), or
 * undefined when its request's queue work is still going to run (or the job
 * moved on). Stranded: `validated` with a commit requested whose queue work is
 * gone or ended without claiming the job.
 */
async function renewStrandedRequest(
  deps: WorkRequestDeps,
  job: ImportJob,
): Promise<ImportJob | undefined> {
  if (job.status !== "validated" || job.commit_requested_at === null) return undefined;
  const live = await hasLiveQueueJob(deps.queues, "commit", job.id, job.commit_attempts).catch(
    (error: unknown) => {
      throw new WorkRequestRefused(
        "UNAVAILABLE",
        "The commit queue is unavailable; try again later",
        { cause: error instanceof Error ? error.message : String(error) },
      );
    },
  );
  if (live) return undefined;
  return renewCommitRequest(deps.db, job.id, job.commit_attempts, STRANDED_AFTER_S);
}

/**
 * Requests the commit of `job` (a `validated` job, or a retry of a `failed` one
 * whose commit failed for a retryable reason) and enqueues its work. The
 * request is taken with one conditional transition, so of two concurrent
 * requests exactly one is accepted; when the work cannot be enqueued the
 * request is given back. A request can always make progress: a stranded
 * earlier request (its queue work gone) is renewed under a new attempt instead
 * of refused (the reaper does the same on its own). Returns the job with its
 * new `commit_attempts`.
 */
export async function submitCommitRequest(
  deps: WorkRequestDeps,
  job: ImportJob,
  options: { allowPartial: boolean; requestId?: string },
): Promise<ImportJob> {
  const refusal = commitRefusal(job);
  if (refusal) throw new WorkRequestRefused("INVALID_STATE", refusal, { status: job.status });
  if ((job.error_count ?? 0) > 0 && !options.allowPartial) {
    throw new WorkRequestRefused(
      "UNPROCESSABLE",
      `The job has ${job.error_count} row errors; commit with allow_partial=true to apply the valid rows`,
      { error_count: job.error_count },
    );
  }
  const taken =
    (await requestCommit(deps.db, job.id, options.allowPartial)) ??
    (await renewStrandedRequest(deps, job));
  if (!taken) {
    throw new WorkRequestRefused(
      "INVALID_STATE",
      "A commit of this job is already requested or running",
    );
  }
  try {
    await enqueueWithin(deps.queues, "commit", taken.id, {
      attempt: taken.commit_attempts,
      requestId: options.requestId,
    });
  } catch (error) {
    await releaseCommitRequest(deps.db, job, taken);
    throw error;
  }
  return taken;
}

/** Statuses a revert may be requested in: a committed job. */
export const REVERTIBLE_STATUSES: readonly JobStatus[] = ["success", "partial"];

/**
 * Requests the revert of a committed (`success` or `partial`) job and enqueues
 * its work. The worker re-checks the state and conflicts under its transaction,
 * so a duplicate request does no harm; a revert refused for a conflict may be
 * requested again once the conflict is resolved.
 */
export async function submitRevertRequest(
  deps: WorkRequestDeps,
  job: ImportJob,
  options: { requestId?: string } = {},
): Promise<ImportJob> {
  if (!REVERTIBLE_STATUSES.includes(job.status)) {
    throw new WorkRequestRefused("INVALID_STATE", `A ${job.status} job cannot be reverted`, {
      status: job.status,
    });
  }
  await enqueueWithin(deps.queues, "revert", job.id, {
    replaceFinished: true,
    requestId: options.requestId,
  });
  return job;
}
