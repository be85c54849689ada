/**
 * Stuck jobs (SPEC §10: "any job stuck > 30 min"). A job is stuck when it has
 * made no progress for STUCK_AFTER_S in a status where progress is expected:
 * - validating or running with no sign of life (heartbeat or update): no live
 *   worker holds it; the reaper fails it (`reapStuck`);
 * - pending, or validated with a commit requested, still waiting for a worker:
 *   its queue work is lost or starved; the reaper re-enqueues it;
 * - success or partial still owing db_verify and the report (the worker died
 *   after COMMIT): the reaper completes that work.
 * The import_jobs_stuck gauge is read from here at every scrape, so it is right
 * whether or not a reaper runs, and shows a job before the reaper acts on it.
 */
import type { Database, ImportJob, JobStatus } from "@catalog/db";
import { type Kysely, sql } from "kysely";
import { JOB_COLUMNS } from "./import-job.repository";
import { noSignOfLifeFor, TRANSITIONS } from "./job-lifecycle";

/** The statuses in which a job is failed when stuck: those a worker holds it in. */
export const STUCK_STATUSES: readonly JobStatus[] = TRANSITIONS.reapStuck.from;

/** Every status the stuck gauge reports, each one always present (0 when none). */
export const STUCK_GAUGE_STATUSES: readonly JobStatus[] = [
  "pending",
  "validating",
  "validated",
  "running",
  "success",
  "partial",
];

/** Jobs a worker holds with no sign of life for more than `stuckAfterS` seconds, oldest first. */
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

/** Counts of stuck jobs (every kind above) by status, for the import_jobs_stuck gauge. */
export async function countStuckJobs(
  db: Kysely<Database>,
  stuckAfterS: number,
): Promise<Record<string, number>> {
  const { rows } = await sql<{ status: JobStatus; count: number }>`
    SELECT status, count(*)::int AS count FROM ops_importjob
    WHERE (status IN ('validating', 'running') AND ${noSignOfLifeFor(stuckAfterS)})
       OR ((status = 'pending' OR (status = 'validated' AND commit_requested_at IS NOT NULL))
           AND updated_at < now() - make_interval(secs => ${stuckAfterS}))
       OR (status IN ('success', 'partial') AND db_verify IS NULL
           AND completed_at < now() - make_interval(secs => ${stuckAfterS}))
    GROUP BY status`.execute(db);
  const counts: Record<string, number> = Object.fromEntries(
    STUCK_GAUGE_STATUSES.map((status) => [status, 0]),
  );
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

/**
 * Committed jobs that still owe their post-commit work (db_verify and the
 * rewritten report) for more than `graceS` seconds since their commit: longer
 * than the worker that committed them needs, so that worker died. Oldest first,
 * at most `limit`.
 */
export async function findOwedPostCommitJobs(
  db: Kysely<Database>,
  graceS: number,
  limit: number,
): Promise<ImportJob[]> {
  return db
    .selectFrom("ops_importjob")
    .select(JOB_COLUMNS)
    .where("status", "in", ["success", "partial"])
    .where("db_verify", "is", null)
    .where(sql<boolean>`completed_at < now() - make_interval(secs => ${graceS})`)
    .orderBy("completed_at")
    .limit(limit)
    .execute();
}
