/**
 * The producer side of the import queues: one BullMQ Queue per kind, and
 * enqueueing by import id with the derived job id (a duplicate is a no-op).
 */
import { type ImportJobPayload, QUEUE_NAMES, type QueueKind, queueJobId } from "@catalog/queue";
import { type ConnectionOptions, Queue } from "bullmq";

/** The three queues, sharing one connection and key prefix. */
export type ImportQueues = Record<QueueKind, Queue>;

/** Failed attempts are retried with backoff; only transient errors reach a retry. */
const DEFAULT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export function createImportQueues(connection: ConnectionOptions, prefix: string): ImportQueues {
  const make = (kind: QueueKind) =>
    new Queue(QUEUE_NAMES[kind], { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  return { validate: make("validate"), commit: make("commit"), revert: make("revert") };
}

/**
 * Enqueues `kind` work for an import. `attempt` distinguishes a deliberate
 * re-run (e.g. commit retry after a transient failure) from a duplicate request;
 * `requestId` is the API request that asked for it, for the worker's log lines.
 */
export async function enqueueImportWork(
  queues: ImportQueues,
  kind: QueueKind,
  importId: string,
  attempt = 0,
  requestId?: string | null,
): Promise<void> {
  const payload: ImportJobPayload = requestId ? { importId, requestId } : { importId };
  await queues[kind].add(kind, payload, { jobId: queueJobId(kind, importId, attempt) });
}

/** Queue job states in which the work is still going to run. */
const LIVE_STATES = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

/**
 * Whether `kind` work for an import is still going to run under this attempt's
 * queue job id. False when the queue job is gone (Redis lost it) or ended
 * (completed or failed) without moving the job on: the job's work is stranded.
 */
export async function hasLiveQueueJob(
  queues: ImportQueues,
  kind: QueueKind,
  importId: string,
  attempt = 0,
): Promise<boolean> {
  const queued = await queues[kind].getJob(queueJobId(kind, importId, attempt));
  return queued !== undefined && LIVE_STATES.has(await queued.getState());
}

/** Closes every queue's connection. */
export async function closeImportQueues(queues: ImportQueues): Promise<void> {
  await Promise.all(Object.values(queues).map((queue) => queue.close()));
}
