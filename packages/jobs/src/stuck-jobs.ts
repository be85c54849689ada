/**
 * Stuck jobs: in a working status (validating, running) with no sign of life
 * (heartbeat or update) for longer than STUCK_AFTER_S. A live worker refreshes
 * the heartbeat of every job it holds, so these have none. One query finds
 * them; reaping fails them with STUCK_JOB_REAPED (a stuck commit stays
 * retryable: its transaction never committed, so nothing was written). A
 * `pending` job only waits for a worker and is never failed for its age: lost
 * queue work is re-enqueued instead (the reaper).
 */
import type { Database, ImportJob, JobStatus } from "@catalog/db";
import { type Kysely, sql } from "kysely";

const WORKING: JobStatus[] = ["validating", "running"];

/** Jobs with no sign of life for more than `stuckAfterS` seconds, oldest first. */
export async function findStuckJobs(
  db: Kysely<Database>,
  stuckAfterS: number,
): Promise<ImportJob[]> {
  return db
    .selectFrom("ops_importjob")
    .selectAll()
    .where("status", "in", WORKING)
    .where(
      sql<boolean>`coalesce(heartbeat_at, updated_at) < now() - make_interval(secs => ${stuckAfterS})`,
    )
    .orderBy("updated_at")
    .execute();
}

/** Fails every job stuck past `stuckAfterS`; returns those it failed. */
export async function reapStuckJobs(
  db: Kysely<Database>,
  stuckAfterS: number,
): Promise<ImportJob[]> {
  return db
    .updateTable("ops_importjob")
    .set({
      status: "failed",
      failure_code: "STUCK_JOB_REAPED",
      failure_message: sql`'No progress for more than ' || ${stuckAfterS}::text || ' s in status ' || status`,
      retryable: sql`status = 'running'`,
      completed_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where("status", "in", WORKING)
    .where(
      sql<boolean>`coalesce(heartbeat_at, updated_at) < now() - make_interval(secs => ${stuckAfterS})`,
    )
    .returningAll()
    .execute();
}

/** Counts of stuck jobs by status, for the import_jobs_stuck gauge. */
export async function countStuckJobs(
  db: Kysely<Database>,
  stuckAfterS: number,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom("ops_importjob")
    .select(["status", (eb) => eb.fn.countAll<number>().as("count")])
    .where("status", "in", WORKING)
    .where(
      sql<boolean>`coalesce(heartbeat_at, updated_at) < now() - make_interval(secs => ${stuckAfterS})`,
    )
    .groupBy("status")
    .execute();
  const counts: Record<string, number> = { validating: 0, running: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}
