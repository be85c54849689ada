/**
 * The job writes of the retry policy: a job whose attempt failed for an outage
 * goes back to waiting for a worker while its retry is scheduled, and fails with
 * a specific code when the retries run out. A heartbeat tells the reaper that a
 * live worker still holds a job.
 */
import type { Database, ImportJob, JobProgress, JobStatus } from "@catalog/db";
import { type Kysely, sql, type Transaction } from "kysely";
import type { FailureCode } from "./failure-codes";
import { transitionImportJob } from "./import-job.repository";

type Db = Kysely<Database> | Transaction<Database>;

/** The phases a worker holds a job in, with their working and waiting statuses. */
export const RETRY_STATUSES = {
  validate: { working: "validating", waiting: "pending" },
  commit: { working: "running", waiting: "validated" },
} as const satisfies Record<string, { working: JobStatus; waiting: JobStatus }>;

export type RetriedPhase = keyof typeof RETRY_STATUSES;

/** What a job waiting for a retry shows in its progress. */
export interface RetryNote {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** Why it failed. */
  code: FailureCode;
  message: string;
  /** When the next attempt is due. */
  nextAttemptAt: Date;
}

/**
 * A job whose attempt failed and will be retried goes back to its waiting
 * status (validating → pending, running → validated with its commit still
 * requested): while the retry waits in the queue no worker holds it, so it must
 * not look stuck, and a job only waiting is never failed for its age. Its
 * progress says which attempt failed, why, and when the next one is due.
 */
export async function awaitRetry(
  db: Db,
  id: string,
  phase: RetriedPhase,
  note: RetryNote,
): Promise<ImportJob | undefined> {
  const { working, waiting } = RETRY_STATUSES[phase];
  const progress = {
    phase,
    done: 0,
    total: 0,
    retry: {
      attempt: note.attempt,
      code: note.code,
      message: note.message,
      next_attempt_at: note.nextAttemptAt.toISOString(),
    },
  } satisfies JobProgress;
  return transitionImportJob(db, id, [working], waiting, {
    progress: JSON.stringify(progress),
    heartbeat_at: null,
  });
}

/**
 * The job fails once its work's retries have run out (or at once, for work that
 * can never succeed). From its working status, or its waiting one when the last
 * attempt failed before it could take the job (Postgres still down): either
 * way no queue job is left to move it on.
 */
export async function failAfterRetries(
  db: Db,
  id: string,
  phase: RetriedPhase,
  failure: { code: FailureCode; message: string; details?: unknown; retryable: boolean },
): Promise<ImportJob | undefined> {
  const { working, waiting } = RETRY_STATUSES[phase];
  return db
    .updateTable("ops_importjob")
    .set({
      status: "failed",
      failure_code: failure.code,
      failure_message: failure.message,
      failure_details: JSON.stringify(failure.details ?? null),
      retryable: failure.retryable,
      completed_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where("id", "=", id)
    .where((eb) =>
      eb.or([
        eb("status", "=", working),
        phase === "commit"
          ? eb.and([eb("status", "=", waiting), eb("commit_requested_at", "is not", null)])
          : eb("status", "=", waiting),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

/**
 * A heartbeat: the job's `heartbeat_at` becomes now while it is still in
 * `status`. A row locked by the job's own commit transaction is skipped rather
 * than waited for: that transaction is the job's sign of life, and the reaper's
 * UPDATE waits for it anyway. Returns whether a heartbeat was written.
 */
export async function recordHeartbeat(db: Db, id: string, status: JobStatus): Promise<boolean> {
  const touched = await db
    .updateTable("ops_importjob")
    .set({ heartbeat_at: sql`now()` })
    .where("id", "in", (eb) =>
      eb
        .selectFrom("ops_importjob")
        .select("id")
        .where("id", "=", id)
        .where("status", "=", status)
        .forUpdate()
        .skipLocked(),
    )
    .executeTakeFirst();
  return Number(touched.numUpdatedRows) > 0;
}
