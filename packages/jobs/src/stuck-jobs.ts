/**
 * Stuck jobs: in a working status (pending, validating, running) with no sign of
 * life (heartbeat or update) for longer than STUCK_AFTER_S. One query finds
 * them; reaping fails them with STUCK_JOB_REAPED (a stuck commit stays
 * retryable: its transaction never committed, so nothing was written).
 */
import type { Database, ImportJob, JobStatus } from "@catalog/db";
import { type Kysely, sql } from "kysely";

const WORKING: JobStatus[] = ["pending", "validating", "running"];

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

/** A job the reaper failed, with the status it was stuck in. */
export type ReapedJob = ImportJob & { previous_status: JobStatus };

/** Fails every job stuck past `stuckAfterS`; returns those it failed. */
export async function reapStuckJobs(
  db: Kysely<Database>,
  stuckAfterS: number,
): Promise<ReapedJob[]> {
  return (
    db
      .with("stuck", (qb) =>
        qb
          .selectFrom("ops_importjob")
          .select(["id", "status"])
          .where("status", "in", WORKING)
          .where(
            sql<boolean>`coalesce(heartbeat_at, updated_at) < now() - make_interval(secs => ${stuckAfterS})`,
          )
          .forUpdate(),
      )
      .updateTable("ops_importjob")
      .from("stuck")
      .set({
        status: "failed",
        failure_code: "STUCK_JOB_REAPED",
        failure_message: sql`'No progress for more than ' || ${stuckAfterS}::text || ' s in status ' || stuck.status`,
        retryable: sql`stuck.status = 'running'`,
        completed_at: sql`now()`,
        updated_at: sql`now()`,
      })
      .whereRef("ops_importjob.id", "=", "stuck.id")
      // Re-checked here: the row may have moved on between the CTE's read and this write.
      .where("ops_importjob.status", "in", WORKING)
      .returningAll("ops_importjob")
      .returning("stuck.status as previous_status")
      .execute()
  );
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
  const counts: Record<string, number> = { pending: 0, validating: 0, running: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}
