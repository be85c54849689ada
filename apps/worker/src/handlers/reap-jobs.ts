/**
 * The reaper, a maintenance task (maintenance-loop.ts: one worker at a time,
 * chosen through Postgres). Each run it
 * 1. fails jobs stuck past STUCK_AFTER_S: validating or running with no
 *    heartbeat for that long, so no live worker holds them (a stuck commit
 *    stays retryable: its transaction never committed);
 * 2. re-enqueues lost work: Postgres has jobs waiting for a worker (pending, or
 *    validated with a commit requested) that no queue job will run, because
 *    Redis forgot its queues (a flush, a restart without persistence) or the
 *    queue job ended without moving the job on. A job only waiting is never
 *    failed for its age: it is re-enqueued, with the same queue job id, so a
 *    duplicate of work still queued is a no-op;
 * 3. refreshes the stuck-jobs gauge.
 */
import { countStuckJobs, enqueueImportWork, type ImportQueues, reapStuckJobs } from "@catalog/jobs";
import { type QueueKind, queueJobId } from "@catalog/queue";
import { sql } from "kysely";
import type { WorkerDependencies } from "../worker-dependencies";

export interface ReapSettings {
  /** Seconds without a heartbeat after which a validating or running job is failed. */
  stuckAfterS: number;
  /**
   * Seconds a job must have waited (since its last change) before a missing
   * queue job counts as lost: the API writes the job before it enqueues.
   */
  lostAfterS: number;
}

export interface ReapResult {
  failed: string[];
  requeued: string[];
}

/** Queue job states in which the work is still going to run. */
const LIVE_STATES = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

/** Whether `kind` work with this queue job id will still run. */
async function isQueued(queues: ImportQueues, kind: QueueKind, jobId: string): Promise<boolean> {
  const queued = await queues[kind].getJob(jobId);
  if (!queued) return false;
  const state = await queued.getState();
  if (LIVE_STATES.has(state)) return true;
  // Finished in the queue but still waiting in Postgres: the id must be freed to enqueue again.
  if (state === "completed" || state === "failed") await queued.remove();
  return false;
}

export async function reapJobs(
  deps: WorkerDependencies,
  queues: ImportQueues,
  settings: ReapSettings,
): Promise<ReapResult> {
  const { db, metrics, logger } = deps;
  const failed = await reapStuckJobs(db, settings.stuckAfterS);
  for (const job of failed)
    logger.warn({ job_id: job.id, phase: "reaper" }, "Stuck job failed by the reaper");
  if (failed.length) metrics.jobsReaped.inc({ action: "failed" }, failed.length);

  const waiting = await db
    .selectFrom("ops_importjob")
    .select(["id", "status", "commit_attempts"])
    .where((eb) =>
      eb.or([
        eb("status", "=", "pending"),
        eb.and([eb("status", "=", "validated"), eb("commit_requested_at", "is not", null)]),
      ]),
    )
    .where(sql<boolean>`updated_at < now() - make_interval(secs => ${settings.lostAfterS})`)
    .orderBy("updated_at")
    .execute();
  const requeued: string[] = [];
  for (const job of waiting) {
    const kind = job.status === "pending" ? "validate" : "commit";
    const attempt = kind === "commit" ? job.commit_attempts : 0;
    if (await isQueued(queues, kind, queueJobId(kind, job.id, attempt))) continue;
    await enqueueImportWork(queues, kind, job.id, attempt);
    requeued.push(job.id);
    logger.warn({ job_id: job.id, phase: "reaper", kind }, "Lost job re-enqueued by the reaper");
  }
  if (requeued.length) metrics.jobsReaped.inc({ action: "requeued" }, requeued.length);

  const stuck = await countStuckJobs(db, settings.stuckAfterS);
  for (const [status, count] of Object.entries(stuck)) metrics.jobsStuck.set({ status }, count);
  return { failed: failed.map((job) => job.id), requeued };
}
