/**
 * The producer side of the import queues: one BullMQ Queue per kind, and
 * enqueueing by import id with the derived job id (a duplicate is a no-op).
 */
import { type ImportJobPayload, QUEUE_NAMES, type QueueKind, queueJobId } from "@catalog/queue";
import { type ConnectionOptions, Queue } from "bullmq";
import { QUEUE_ATTEMPTS_CAP, RETRY_BACKOFF_TYPE } from "./retry-policy";

/** The import queues, sharing one connection and key prefix. */
export type ImportQueues = Record<QueueKind, Queue>;

/**
 * Failed attempts are retried with the worker's backoff (see retry-policy.ts),
 * which also decides when to stop; the attempts here are only a cap.
 */
const DEFAULT_JOB_OPTIONS = {
  attempts: QUEUE_ATTEMPTS_CAP,
  backoff: { type: RETRY_BACKOFF_TYPE },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export interface ImportQueueOptions {
  /**
   * Told about the queues' Redis errors. A BullMQ Queue re-emits its
   * connection's errors (with no listener BullMQ prints each to stderr, on top
   * of what the connection's own listener reports). Default: ignored, as the
   * connection's listener reports them.
   */
  onError?: (error: Error) => void;
}

export function createImportQueues(
  connection: ConnectionOptions,
  prefix: string,
  options: ImportQueueOptions = {},
): ImportQueues {
  const make = (kind: QueueKind) => {
    const queue = new Queue(QUEUE_NAMES[kind], {
      connection,
      prefix,
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    queue.on("error", options.onError ?? (() => undefined));
    return queue;
  };
  return {
    validate: make("validate"),
    commit: make("commit"),
    revert: make("revert"),
    report: make("report"),
  };
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
