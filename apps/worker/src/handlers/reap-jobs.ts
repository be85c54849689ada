/**
 * The reaper, a maintenance task (maintenance/maintenance-loop.ts: run every
 * REAPER_INTERVAL_S by one worker at a time, chosen through Postgres, so it
 * cannot be lost with Redis). What it decides, Postgres decides (Redis can
 * forget its queues). Each run it
 * 1. fails jobs stuck past STUCK_AFTER_S: validating or running with no sign of
 *    life, so no worker holds them (`reapStuck`; a stuck commit stays
 *    retryable, its transaction never committed);
 * 2. re-enqueues lost work: Redis keeps nothing on disk, so a restart loses the
 *    queues while Postgres still has jobs waiting (pending); a pending job is
 *    never failed for its age;
 * 3. re-enqueues stranded commits: validated with a commit requested, whose
 *    queue work is gone or ended without claiming the job; the request gets a
 *    new attempt (`renewCommitRequest`) and so a new queue job id;
 * 4. completes the post-commit work a committed job still owes (db_verify,
 *    then its report work enqueued) when the worker that committed it died after COMMIT;
 * 5. re-enqueues lost report work: a job whose report is pending (and due: a
 *    committed job's once db_verify is recorded) whose queue work is gone, or
 *    ended without recording it (an outage outlasted its retries), is enqueued
 *    again under its generation's queue job id;
 * 6. forgets Idempotency-Keys past their expiry (an expired key already makes a
 *    new job; this only keeps the table from growing).
 * The stuck-jobs gauge is not set here: every process reads it from Postgres
 * at scrape time (stuck-jobs.ts), so it stays right when no reaper runs.
 * A job it fails counts as a failure of its phase in import_jobs_total.
 */
import {
  deleteExpiredIdempotencyKeys,
  enqueueImportWork,
  findOwedPostCommitJobs,
  hasLiveQueueJob,
  type ImportQueues,
  reapStuckJobs,
  renewCommitRequest,
} from "@catalog/jobs";
import { queueJobId } from "@catalog/queue";
import { sql } from "kysely";
import type { WorkerDependencies } from "../worker-dependencies";
import { completePostCommitWork } from "./commit-import";

/**
 * Work waiting in Postgres this long without a queue job is considered lost
 * (the API writes the job before it enqueues). Default of LOST_WORK_AFTER_S.
 */
const LOST_AFTER_S = 60;
/**
 * A committed job still owing its post-commit work this long after COMMIT has
 * lost the worker that committed it (which needs seconds for it).
 */
const POST_COMMIT_GRACE_S = 120;
/** Owed post-commit work done per run, so one run stays short. */
const POST_COMMIT_BATCH = 20;
/** Lost report work enqueued per run. */
const REPORT_BATCH = 100;

export interface ReapResult {
  failed: string[];
  requeued: string[];
  /** Committed jobs whose owed post-commit work this run completed. */
  completed: string[];
  /** Jobs whose lost report work this run enqueued again. */
  reports: string[];
}

export interface ReapOptions {
  /** Seconds work must have waited before a missing queue job counts as lost (default 60). */
  lostAfterS?: number;
}

export async function reapJobs(
  deps: WorkerDependencies,
  queues: ImportQueues,
  stuckAfterS: number,
  options: ReapOptions = {},
): Promise<ReapResult> {
  const lostAfterS = options.lostAfterS ?? LOST_AFTER_S;
  const { db, metrics, logger } = deps;
  const failed = await reapStuckJobs(db, stuckAfterS);
  for (const job of failed) {
    logger.warn({ job_id: job.id, phase: "reaper" }, "Stuck job failed by the reaper");
    // A reaped job is a failure of the phase it was stuck in, for the success rate.
    const stuckIn = (job.failure_details as { status?: string } | null)?.status;
    const phase = stuckIn === "running" ? "commit" : "validate";
    metrics.jobsTotal.inc({ phase, outcome: "failed", mode: job.mode });
  }
  if (failed.length) metrics.jobsReaped.inc({ action: "failed" }, failed.length);

  const requeued = [
    ...(await requeueLostValidations(deps, queues, lostAfterS)),
    ...(await requeueStrandedCommits(deps, queues, lostAfterS)),
  ];
  if (requeued.length) metrics.jobsReaped.inc({ action: "requeued" }, requeued.length);

  const completed = await completeOwedPostCommitWork({ ...deps, queues });
  if (completed.length) metrics.jobsReaped.inc({ action: "post_commit" }, completed.length);

  const reports = await requeueLostReports(deps, queues, lostAfterS);
  if (reports.length) metrics.jobsReaped.inc({ action: "requeued" }, reports.length);

  const expiredKeys = await deleteExpiredIdempotencyKeys(db);
  if (expiredKeys)
    logger.info({ phase: "reaper", count: expiredKeys }, "Expired Idempotency-Keys forgotten");
  return { failed: failed.map((job) => job.id), requeued, completed, reports };
}

/** A job whose work of one kind may have been lost, with what its queue job id needs. */
interface LostWork {
  id: string;
  generation: number;
  request_id: string | null;
}

/**
 * Enqueues the work of `kind` for each of `jobs` again under the queue job id of
 * its generation, unless a queue job that will still run holds it; a finished
 * one is removed first (or the enqueue would be a no-op). Logs `message` for
 * each one enqueued and returns their ids.
 */
async function requeueUnlessLive(
  { logger }: WorkerDependencies,
  queues: ImportQueues,
  kind: "validate" | "report",
  jobs: readonly LostWork[],
  message: string,
): Promise<string[]> {
  const requeued: string[] = [];
  for (const { id, generation, request_id } of jobs) {
    if (await hasLiveQueueJob(queues, kind, id, generation)) continue;
    await (await queues[kind].getJob(queueJobId(kind, id, generation)))?.remove();
    await enqueueImportWork(queues, kind, id, generation, request_id);
    requeued.push(id);
    logger.warn({ job_id: id, phase: "reaper", kind, generation }, message);
  }
  return requeued;
}

/**
 * Jobs whose report has been pending for more than `lostAfterS` with no queue
 * work that will build it (Redis lost it, its retries ran out during an outage,
 * or the worker died before enqueueing it): enqueued again under the queue job
 * id of their generation (a finished one is removed first). A committed job's
 * report is due once db_verify is recorded (item 4 does that first).
 */
async function requeueLostReports(
  deps: WorkerDependencies,
  queues: ImportQueues,
  lostAfterS: number,
): Promise<string[]> {
  const pending = await deps.db
    .selectFrom("ops_importjob")
    .select(["id", "report_generation as generation", "request_id"])
    .where("report_status", "=", "pending")
    .where("snapshot_key", "is not", null)
    .where((eb) =>
      eb.not(eb.and([eb("status", "in", ["success", "partial"]), eb("db_verify", "is", null)])),
    )
    .where(sql<boolean>`report_requested_at < now() - make_interval(secs => ${lostAfterS})`)
    .orderBy("report_requested_at")
    .limit(REPORT_BATCH)
    .execute();
  return requeueUnlessLive(
    deps,
    queues,
    "report",
    pending,
    "Lost report work re-enqueued by the reaper",
  );
}

/**
 * Pending jobs whose validate work no queue holds, or whose queue job ended
 * without moving them on: enqueued again under the same queue job id (a
 * finished one is removed first, or the enqueue would be a no-op).
 */
async function requeueLostValidations(
  deps: WorkerDependencies,
  queues: ImportQueues,
  lostAfterS: number,
): Promise<string[]> {
  const pending = await deps.db
    .selectFrom("ops_importjob")
    .select(["id", "request_id"])
    .where("status", "=", "pending")
    .where(sql<boolean>`updated_at < now() - make_interval(secs => ${lostAfterS})`)
    .execute();
  return requeueUnlessLive(
    deps,
    queues,
    "validate",
    pending.map((job) => ({ ...job, generation: 0 })),
    "Lost job re-enqueued by the reaper",
  );
}

/** Validated jobs with a commit requested whose commit work will not run: renewed and enqueued. */
async function requeueStrandedCommits(
  deps: WorkerDependencies,
  queues: ImportQueues,
  lostAfterS: number,
): Promise<string[]> {
  const requested = await deps.db
    .selectFrom("ops_importjob")
    .select(["id", "commit_attempts"])
    .where("status", "=", "validated")
    .where("commit_requested_at", "is not", null)
    .where(sql<boolean>`updated_at < now() - make_interval(secs => ${lostAfterS})`)
    .execute();
  const requeued: string[] = [];
  for (const job of requested) {
    if (await hasLiveQueueJob(queues, "commit", job.id, job.commit_attempts)) continue;
    const renewed = await renewCommitRequest(deps.db, job.id, job.commit_attempts, lostAfterS);
    if (!renewed) continue;
    await enqueueImportWork(queues, "commit", job.id, renewed.commit_attempts);
    requeued.push(job.id);
    deps.logger.warn(
      { job_id: job.id, phase: "reaper", kind: "commit", attempt: renewed.commit_attempts },
      "Stranded commit re-enqueued by the reaper",
    );
  }
  return requeued;
}

/** db_verify (then the report work) of committed jobs whose worker died after COMMIT. */
async function completeOwedPostCommitWork(deps: WorkerDependencies): Promise<string[]> {
  const owed = await findOwedPostCommitJobs(deps.db, POST_COMMIT_GRACE_S, POST_COMMIT_BATCH);
  const completed: string[] = [];
  for (const job of owed) {
    try {
      const done = await completePostCommitWork(job, deps);
      if (!done?.db_verify) continue;
      completed.push(job.id);
      deps.logger.warn(
        { job_id: job.id, phase: "reaper" },
        "Post-commit work (db_verify; report work enqueued) completed by the reaper",
      );
    } catch (error) {
      // Left owed: the next run tries again.
      deps.logger.error(
        { err: error, job_id: job.id, phase: "reaper" },
        "Could not complete a committed job's post-commit work",
      );
    }
  }
  return completed;
}
