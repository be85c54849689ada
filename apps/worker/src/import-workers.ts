/**
 * BullMQ consumers for the import queues. Each handler receives the import id
 * only and re-reads the job from Postgres. When a handler's error survives every
 * retry, the job is marked `failed` (INTERNAL_ERROR) so it does not sit in a
 * working status until the reaper finds it.
 */
import type { ImportJob } from "@catalog/db";
import { failAfterRetries } from "@catalog/jobs";
import { LOG_PATTERNS } from "@catalog/observability";
import { importJobPayload, QUEUE_NAMES, type QueueKind } from "@catalog/queue";
import { type ConnectionOptions, type Job, Worker } from "bullmq";
import type { WorkerDependencies } from "./worker-dependencies";

/** A handler: does the work for one import; safe to run twice. */
export type ImportHandler = (
  importId: string,
  deps: WorkerDependencies,
) => Promise<ImportJob | undefined>;

/**
 * The status a job is in while each kind of work runs: what to fail it from.
 * A revert runs in one transaction on a finished job; when it fails, the job
 * simply stays as it was.
 */
const WORKING_STATUS: Partial<Record<QueueKind, "validating" | "running">> = {
  validate: "validating",
  commit: "running",
};

export interface ImportWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: Partial<Record<QueueKind, number>>;
}

/** Starts one BullMQ Worker per handler given. */
export function startImportWorkers(
  handlers: Partial<Record<QueueKind, ImportHandler>>,
  deps: WorkerDependencies,
  options: ImportWorkerOptions,
): Worker[] {
  return (Object.entries(handlers) as [QueueKind, ImportHandler][]).map(([kind, handler]) => {
    const worker = new Worker(
      QUEUE_NAMES[kind],
      async (job: Job) => {
        const { importId, requestId } = importJobPayload.parse(job.data);
        // Every line logged for this work carries the id of the request that asked for it.
        const logger = requestId ? deps.logger.child({ request_id: requestId }) : deps.logger;
        const log = logger.child({ job_id: importId, phase: kind });
        log.info({ attempt: job.attemptsMade + 1 }, `${kind} work started`);
        const ended = await handler(importId, { ...deps, logger });
        log.info({ status: ended?.status ?? "unchanged" }, `${kind} work finished`);
      },
      {
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency[kind] ?? 1,
      },
    );
    worker.on("failed", (job, error) => void onFailed(kind, job, error, deps));
    worker.on("error", (error) =>
      deps.logger.error({ err: error, queue: QUEUE_NAMES[kind] }, "Queue worker error"),
    );
    return worker;
  });
}

async function onFailed(
  kind: QueueKind,
  job: Job | undefined,
  error: Error,
  deps: WorkerDependencies,
): Promise<void> {
  const parsed = importJobPayload.safeParse(job?.data);
  const importId = parsed.success ? parsed.data.importId : undefined;
  const requestId = parsed.success ? parsed.data.requestId : undefined;
  const pattern =
    kind === "commit" ? `${LOG_PATTERNS.commitError} ${importId}` : `${kind} attempt failed`;
  deps.logger.error(
    {
      err: error,
      job_id: importId,
      phase: kind,
      attempt: job?.attemptsMade,
      request_id: requestId,
    },
    pattern,
  );
  const workingStatus = WORKING_STATUS[kind];
  if (!job || !importId || !workingStatus || job.attemptsMade < (job.opts.attempts ?? 1)) return;
  try {
    const failed = await failAfterRetries(deps.db, importId, workingStatus, {
      code: "INTERNAL_ERROR",
      message: `${kind} failed after ${job.attemptsMade} attempts: ${error.message}`,
      retryable: kind === "commit",
    });
    if (failed) deps.metrics.jobsTotal.inc({ phase: kind, outcome: "failed", mode: failed.mode });
  } catch (cause) {
    deps.logger.error({ err: cause, job_id: importId }, "Could not mark job failed");
  }
}
