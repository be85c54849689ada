/**
 * Stuck jobs: validating or running with no sign of life (heartbeat or update)
 * for longer than STUCK_AFTER_S. These are the reads; failing them is the
 * `reapStuck` transition of job-lifecycle.ts.
 */
import type { Database, ImportJob, JobStatus } from "@catalog/db";
import type { Kysely } from "kysely";
import { JOB_COLUMNS } from "./import-job.repository";
import { noSignOfLifeFor, TRANSITIONS } from "./job-lifecycle";

/** The statuses in which a job can be stuck: those a worker holds it in. */
export const STUCK_STATUSES: readonly JobStatus[] = TRANSITIONS.reapStuck.from;

/** Jobs with no sign of life for more than `stuckAfterS` seconds, oldest first. */
export async function findStuckJobs(
  db: Kysely<Database>,
  stuckAfterS: number,
): Promise<ImportJob[]> {
  return db
    .selectFrom("ops_importjob")
    .select(JOB_COLUMNS)
    .where("status", "in", STUCK_STATUSES)
    .where(noSignOfLifeFor(stuckAfterS))
    .orderBy("updated_at")
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
    .where("status", "in", STUCK_STATUSES)
    .where(noSignOfLifeFor(stuckAfterS))
    .groupBy("status")
    .execute();
  const counts: Record<string, number> = Object.fromEntries(STUCK_STATUSES.map((s) => [s, 0]));
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}
