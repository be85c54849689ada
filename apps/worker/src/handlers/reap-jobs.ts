/**
 * The reaper, run every minute by one worker (a BullMQ job scheduler). What it
 * decides, Postgres decides (Redis can forget its queues). Each run it
 * 1. fails jobs stuck past STUCK_AFTER_S: validating or running with no sign of
 *    life, so no worker holds them (`reapStuck`; a stuck commit stays
 *    retryable, its transaction never committed);
 * 2. re-enqueues lost work: Redis keeps nothing on disk, so a restart loses the
 *    queues while Postgres still has jobs waiting (pending);
 * 3. re-enqueues stranded commits: validated with a commit requested, whose
 *    queue work is gone or ended without claiming the job; the request gets a
 *    new attempt (`renewCommitRequest`) and so a new queue job id;
 * 4. completes the post-commit work a committed job still owes (db_verify and
 *    the rewritten report) when the worker that committed it died after COMMIT;
 * 5. forgets Idempotency-Keys past their expiry (an expired key already makes a
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

/** Work waiting in Postgres this long without a queue job is considered lost. */
const LOST_AFTER_S = 60;
/**
 * A committed job still owing its post-commit work this long after COMMIT has
 * lost the worker that committed it (which needs seconds for it).
 */
const POST_COMMIT_GRACE_S = 120;
/** Owed post-commit work done per run, so one run stays short. */
const POST_COMMIT_BATCH = 20;

export interface ReapResult {
  failed: string[];
  requeued: string[];
  /** Committed jobs whose owed post-commit work this run completed. */
  completed: string[];
}

export async function reapJobs(
  deps: WorkerDependencies,
  queues: ImportQueues,
  stuckAfterS: number,
): Promise<ReapResult> {
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
    ...(await requeueLostValidations(deps, queues)),
    ...(await requeueStrandedCommits(deps, queues)),
  ];
  if (requeued.length) metrics.jobsReaped.inc({ action: "requeued" }, requeued.length);

  const completed = await completeOwedPostCommitWork(deps);
  if (completed.length) metrics.jobsReaped.inc({ action: "post_commit" }, completed.length);

  const expiredKeys = await deleteExpiredIdempotencyKeys(db);
  if (expiredKeys)
    logger.info({ phase: "reaper", count: expiredKeys }, "Expired Idempotency-Keys forgotten");
  return { failed: failed.map((job) => job.id), requeued, completed };
}

/** Pending jobs whose validate work no queue holds. */
async function requeueLostValidations(
  deps: WorkerDependencies,
  queues: ImportQueues,
): Promise<string[]> {
  const pending = await deps.db
    .selectFrom("ops_importjob")
    .select(["id", "request_id"])
    .where("status", "=", "pending")
    .where(sql<boolean>`updated_at < now() - make_interval(secs => ${LOST_AFTER_S})`)
    .execute();
  const requeued: string[] = [];
  for (const job of pending) {
    if (await queues.validate.getJob(queueJobId("validate", job.id))) continue;
    await enqueueImportWork(queues, "validate", job.id, 0, job.request_id);
    requeued.push(job.id);
    deps.logger.warn(
      { job_id: job.id, phase: "reaper", kind: "validate" },
      "Lost job re-enqueued by the reaper",
    );
  }
  return requeued;
}

/** Validated jobs with a commit requested whose commit work will not run: renewed and enqueued. */
async function requeueStrandedCommits(
  deps: WorkerDependencies,
  queues: ImportQueues,
): Promise<string[]> {
  const requested = await deps.db
    .selectFrom("ops_importjob")
    .select(["id", "commit_attempts"])
    .where("status", "=", "validated")
    .where("commit_requested_at", "is not", null)
    .where(sql<boolean>`updated_at < now() - make_interval(secs => ${LOST_AFTER_S})`)
    .execute();
  const requeued: string[] = [];
  for (const job of requested) {
    if (await hasLiveQueueJob(queues, "commit", job.id, job.commit_attempts)) continue;
    const renewed = await renewCommitRequest(deps.db, job.id, job.commit_attempts, LOST_AFTER_S);
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

/** db_verify and the report of committed jobs whose worker died after COMMIT. */
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
        "Post-commit work (db_verify, report) completed by the reaper",
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
