/**
 * BullMQ consumers for the import queues. Each handler receives the import id
 * only and re-reads the job from Postgres. Around every attempt:
 * - a heartbeat keeps the job's `heartbeat_at` fresh while the handler runs,
 *   however long one step takes (reading a big file, waiting on S3 or on the
 *   commit's locks), so the reaper never fails a job a live worker holds;
 * - a failed attempt is classified (error-classification.ts): an outage is
 *   retried with the retry policy's backoff, the job waiting in its waiting
 *   status meanwhile, and fails with the outage's code (STORAGE_UNAVAILABLE,
 *   DATABASE_UNAVAILABLE, ...) when the retries run out; work that can never
 *   succeed fails at once, not retryable, with its own code (BullMQ's
 *   UnrecoverableError stops the queue's retries); anything else gets a few
 *   attempts, then INTERNAL_ERROR.
 */
import type { ImportJob } from "@catalog/db";
import { withFailpointWork } from "@catalog/failpoints";
import {
  awaitRetry,
  classifyError,
  DEFAULT_RETRY_POLICY,
  type ErrorClass,
  type FailureCode,
  failAfterRetries,
  PHASE_STATUSES,
  type WorkerPhase,
  type RetryPolicy,
  retryDelayMs,
} from "@catalog/jobs";
import { LOG_PATTERNS } from "@catalog/observability";
import { importJobPayload, QUEUE_NAMES, type QueueKind } from "@catalog/queue";
import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from "bullmq";
import { failReport } from "./handlers/report-import";
import type { HeapRelease } from "./heap-release";
import { withHeartbeat } from "./heartbeat";
import { type QueueLockSettings, queueLockOptions } from "./queue-locks";
import type { WorkerDependencies } from "./worker-dependencies";

/** A handler: does the work for one import; safe to run twice. */
export type ImportHandler = (
  importId: string,
  deps: WorkerDependencies,
) => Promise<ImportJob | undefined>;

export interface ImportWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: Partial<Record<QueueKind, number>>;
  /** How long and how often failed work is retried. Default: DEFAULT_RETRY_POLICY. */
  retry?: RetryPolicy;
  /** Milliseconds between heartbeats of a job in progress. Default 30 s. */
  heartbeatMs?: number;
  /** How soon a dead worker's work is redelivered. Default: BullMQ's (30 s each). */
  locks?: QueueLockSettings;
  /** Hands a large job's heap back once the worker is idle (heap-release.ts). Default: none. */
  heapRelease?: HeapRelease;
}

/** The BullMQ worker settings every consumer of the import queues needs: the retry backoff. */
export function importWorkerSettings(policy: RetryPolicy) {
  return { backoffStrategy: (attemptsMade: number) => retryDelayMs(policy, attemptsMade) };
}

/** Starts one BullMQ Worker per handler given. */
export function startImportWorkers(
  handlers: Partial<Record<QueueKind, ImportHandler>>,
  deps: WorkerDependencies,
  options: ImportWorkerOptions,
): Worker[] {
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  return (Object.entries(handlers) as [QueueKind, ImportHandler][]).map(([kind, handler]) => {
    const phase = kind in PHASE_STATUSES ? (kind as WorkerPhase) : undefined;
    const worker = new Worker(
      QUEUE_NAMES[kind],
      async (job: Job) => {
        const { importId, requestId } = importJobPayload.parse(job.data);
        // Every line logged for this work carries the id of the request that asked for it.
        const logger = requestId ? deps.logger.child({ request_id: requestId }) : deps.logger;
        const log = logger.child({ job_id: importId, phase: kind });
        const working = phase && PHASE_STATUSES[phase].working;
        log.info({ attempt: job.attemptsMade + 1 }, `${kind} work started`);
        try {
          const attempt = () =>
            withHeartbeat(deps, { importId, status: working, intervalMs: heartbeatMs }, () =>
              withFailpointWork(
                { jobId: importId, queue: kind, firstDelivery: isFirstDelivery(job) },
                () => handler(importId, { ...deps, logger }),
              ),
            );
          const ended = await (options.heapRelease
            ? options.heapRelease.around(attempt)
            : attempt());
          log.info({ status: ended?.status ?? "unchanged" }, `${kind} work finished`);
        } catch (error) {
          throw await afterFailedAttempt({
            kind,
            phase,
            job,
            importId,
            error,
            deps: { ...deps, logger },
            policy,
          });
        }
      },
      {
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency[kind] ?? 1,
        settings: importWorkerSettings(policy),
        ...queueLockOptions(options.locks),
      },
    );
    worker.on("failed", (job, error) => void onFailed(kind, phase, job, error, deps));
    worker.on("error", (error) =>
      deps.logger.error({ err: error, queue: QUEUE_NAMES[kind] }, "Queue worker error"),
    );
    return worker;
  });
}

/**
 * Report work the queue stops retrying. After an outage it stays pending (the
 * reaper enqueues it again from Postgres once its queue work has failed); work
 * that can never succeed (a bug, an unreadable snapshot) records the report of
 * its generation (named by the queue job id) as failed.
 */
async function giveUpReport(
  job: Job,
  importId: string,
  verdict: ErrorClass,
  deps: WorkerDependencies,
): Promise<void> {
  if (verdict.kind === "transient") return;
  const generation = Number(job.id?.slice(`report-${importId}-`.length));
  if (!Number.isInteger(generation)) return;
  await failReport(deps, importId, generation).then(
    (failed) =>
      failed &&
      deps.logger.error(
        { job_id: importId, phase: "report", generation, class: verdict.kind },
        "Report failed: it cannot be built",
      ),
    (cause: unknown) =>
      deps.logger.error({ err: cause, job_id: importId }, "Could not record the report failed"),
  );
}

/** Whether this is the work's first delivery: no attempt failed and none stalled before. */
const isFirstDelivery = (job: Job) => job.attemptsMade === 0 && (job.stalledCounter ?? 0) === 0;

interface FailedAttempt {
  kind: QueueKind;
  phase: WorkerPhase | undefined;
  job: Job;
  importId: string;
  error: unknown;
  deps: WorkerDependencies;
  policy: RetryPolicy;
}

/** How many attempts work failing this way gets, the first included. */
function attemptsFor(verdict: ErrorClass, policy: RetryPolicy): number {
  if (verdict.kind === "transient") return policy.attempts;
  if (verdict.kind === "unexpected") return policy.unexpectedAttempts;
  return 1;
}

/**
 * Decides what a failed attempt leads to and returns the error for BullMQ:
 * the original one when a retry follows (BullMQ schedules it with the policy's
 * backoff), an UnrecoverableError once the job was failed in Postgres.
 */
async function afterFailedAttempt(attempt: FailedAttempt): Promise<unknown> {
  const { kind, phase, job, importId, error, deps, policy } = attempt;
  const verdict = classifyError(error);
  const number = job.attemptsMade + 1;
  const last = number >= attemptsFor(verdict, policy);
  const code: FailureCode = verdict.kind === "unexpected" ? "INTERNAL_ERROR" : verdict.code;
  const message = error instanceof Error ? error.message : String(error);
  const log = deps.logger.child({ job_id: importId, phase: kind });
  log.warn(
    { err: error, attempt: number, failure_code: code, class: verdict.kind, last },
    last ? `${kind} failed: no retry left` : `${kind} attempt failed: retry scheduled`,
  );
  if (kind === "report" && last) await giveUpReport(job, importId, verdict, deps);
  if (!phase) return last ? new UnrecoverableError(message) : error;

  if (!last) {
    const delay = retryDelayMs(policy, number, () => 0.5);
    await awaitRetry(deps.db, importId, phase, {
      attempt: number,
      code,
      message,
      nextAttemptAt: new Date(Date.now() + delay),
    }).catch((cause) =>
      log.warn({ err: cause }, "Could not record the scheduled retry (the next attempt will)"),
    );
    return error;
  }

  const failure = {
    code,
    message:
      verdict.kind === "unrecoverable"
        ? message
        : `${kind} failed after ${number} attempt${number === 1 ? "" : "s"}: ${message}`,
    details: verdict.kind === "unrecoverable" ? verdict.details : { attempts: number },
    // An outage may be over later: revalidate, or commit again (a failed commit
    // transaction wrote nothing). A bug's INTERNAL_ERROR leaves a commit
    // retryable for the same reason; an unrecoverable error never is.
    retryable:
      verdict.kind === "transient" || (verdict.kind === "unexpected" && phase === "commit"),
  };
  try {
    const failed = await failAfterRetries(deps.db, importId, phase, failure);
    if (failed) {
      deps.metrics.jobsTotal.inc({ phase: kind, outcome: "failed", mode: failed.mode });
      if (kind === "commit")
        log.error({ failure_code: code }, `${LOG_PATTERNS.commitError} ${importId}`);
    }
  } catch (cause) {
    // Postgres is down too: let the queue try again later, when this can be recorded.
    log.error({ err: cause }, "Could not mark the job failed; the queue will try again");
    return error;
  }
  return error instanceof UnrecoverableError ? error : new UnrecoverableError(failure.message);
}

/**
 * Logs every failed attempt; fails the job when the queue gave up on it without
 * the processor deciding so (its attempts cap reached, or a job that stalled
 * more often than allowed because its workers kept dying).
 */
async function onFailed(
  kind: QueueKind,
  phase: WorkerPhase | undefined,
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
  if (!job?.finishedOn || !importId || error instanceof UnrecoverableError) return;
  const verdict = classifyError(error);
  if (kind === "report") await giveUpReport(job, importId, verdict, deps);
  if (!phase) return;
  try {
    const failed = await failAfterRetries(deps.db, importId, phase, {
      code: verdict.kind === "unexpected" ? "INTERNAL_ERROR" : verdict.code,
      message: `${kind} failed after ${job.attemptsMade} attempts: ${error.message}`,
      retryable: phase === "commit" || verdict.kind === "transient",
    });
    if (failed) deps.metrics.jobsTotal.inc({ phase: kind, outcome: "failed", mode: failed.mode });
  } catch (cause) {
    deps.logger.error({ err: cause, job_id: importId }, "Could not mark job failed");
  }
}
