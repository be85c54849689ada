/**
 * The reaper, run every minute by one worker (a BullMQ job scheduler). It
 * 1. fails jobs stuck past STUCK_AFTER_S (no worker holds them; a stuck commit
 *    stays retryable, its transaction never committed);
 * 2. re-enqueues lost work: Redis keeps nothing on disk, so a restart loses the
 *    queues while Postgres still has jobs waiting (pending, or a commit
 *    requested and not yet running);
 * 3. refreshes the stuck-jobs gauge.
 * A job it fails counts as a failure of its phase in import_jobs_total.
 */
import { countStuckJobs, enqueueImportWork, type ImportQueues, reapStuckJobs } from "@catalog/jobs";
import { queueJobId } from "@catalog/queue";
import { sql } from "kysely";
import type { WorkerDependencies } from "../worker-dependencies";

/** Work waiting in Postgres this long without a queue job is considered lost. */
const LOST_AFTER_S = 60;

export interface ReapResult {
  failed: string[];
  requeued: string[];
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

  const waiting = await db
    .selectFrom("ops_importjob")
    .select(["id", "status", "commit_attempts", "request_id"])
    .where((eb) =>
      eb.or([
        eb("status", "=", "pending"),
        eb.and([eb("status", "=", "validated"), eb("commit_requested_at", "is not", null)]),
      ]),
    )
    .where(sql<boolean>`updated_at < now() - make_interval(secs => ${LOST_AFTER_S})`)
    .execute();
  const requeued: string[] = [];
  for (const job of waiting) {
    const kind = job.status === "pending" ? "validate" : "commit";
    const attempt = kind === "commit" ? job.commit_attempts : 0;
    if (await queues[kind].getJob(queueJobId(kind, job.id, attempt))) continue;
    await enqueueImportWork(queues, kind, job.id, attempt, job.request_id);
    requeued.push(job.id);
    logger.warn({ job_id: job.id, phase: "reaper", kind }, "Lost job re-enqueued by the reaper");
  }
  if (requeued.length) metrics.jobsReaped.inc({ action: "requeued" }, requeued.length);

  const stuck = await countStuckJobs(db, stuckAfterS);
  for (const [status, count] of Object.entries(stuck)) metrics.jobsStuck.set({ status }, count);
  return { failed: failed.map((job) => job.id), requeued };
}
