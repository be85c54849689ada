/**
 * Reading and moving import jobs through their states (SPEC §7). Every state
 * change is a conditional UPDATE on the expected current status, so two workers
 * (or a duplicate queue delivery) can never both move the same job.
 */
import type {
  Database,
  ImportJob,
  ImportJobUpdate,
  ImportMode,
  JobProgress,
  JobStatus,
  NewImportJob,
} from "@catalog/db";
import { type Kysely, sql, type Transaction } from "kysely";

type Db = Kysely<Database> | Transaction<Database>;

/** Statuses in which an earlier upload of the same bytes is reused (idempotency by file hash). */
export const REUSABLE_STATUSES: readonly JobStatus[] = ["pending", "validating", "validated"];

/** Statuses no worker will move on from by itself. */
export const FINAL_STATUSES: readonly JobStatus[] = ["success", "partial", "failed", "reverted"];

/** Inserts a new job (status `pending`). */
export async function createImportJob(
  db: Db,
  job: Omit<NewImportJob, "status">,
): Promise<ImportJob> {
  return db
    .insertInto("ops_importjob")
    .values({ ...job, status: "pending" })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The job with this id, or undefined. */
export async function findImportJob(db: Db, id: string): Promise<ImportJob | undefined> {
  return db.selectFrom("ops_importjob").selectAll().where("id", "=", id).executeTakeFirst();
}

/** An earlier job for the same bytes and mode that is still pending, validating or validated. */
export async function findReusableJob(
  db: Db,
  fileHash: string,
  mode: ImportMode,
): Promise<ImportJob | undefined> {
  return db
    .selectFrom("ops_importjob")
    .selectAll()
    .where("file_hash", "=", fileHash)
    .where("mode", "=", mode)
    .where("status", "in", REUSABLE_STATUSES)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
}

/** The job a user created with this Idempotency-Key, if any. */
export async function findJobByIdempotencyKey(
  db: Db,
  createdBy: string,
  key: string,
): Promise<ImportJob | undefined> {
  return db
    .selectFrom("ops_importjob")
    .selectAll()
    .where("created_by", "=", createdBy)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}

/**
 * Moves a job from one of `from` to `to`, with `changes`, only if it is still in
 * one of `from`. Returns the updated job, or undefined when its status was
 * something else (someone else moved it first).
 */
export async function transitionImportJob(
  db: Db,
  id: string,
  from: readonly JobStatus[],
  to: JobStatus,
  changes: Omit<ImportJobUpdate, "status" | "id"> = {},
): Promise<ImportJob | undefined> {
  return db
    .updateTable("ops_importjob")
    .set({ ...changes, status: to, updated_at: sql`now()` })
    .where("id", "=", id)
    .where("status", "in", from)
    .returningAll()
    .executeTakeFirst();
}

/** Records progress (and a heartbeat, which tells the reaper the job is alive). */
export async function recordProgress(db: Db, id: string, progress: JobProgress): Promise<void> {
  await db
    .updateTable("ops_importjob")
    .set({ progress: JSON.stringify(progress), heartbeat_at: sql`now()`, updated_at: sql`now()` })
    .where("id", "=", id)
    .execute();
}

/** Filters of the job list (SPEC §8). */
export interface JobListFilter {
  /** One status, or any of several. */
  status?: JobStatus | readonly JobStatus[];
  mode?: ImportMode;
  createdBy?: string;
  fileHash?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

/** A page of jobs, newest first, and the total matching the filter. */
export async function listImportJobs(
  db: Db,
  filter: JobListFilter,
  page: { limit: number; offset: number },
): Promise<{ items: ImportJob[]; total: number }> {
  let query = db.selectFrom("ops_importjob");
  if (typeof filter.status === "string") query = query.where("status", "=", filter.status);
  else if (filter.status?.length) query = query.where("status", "in", filter.status);
  if (filter.mode) query = query.where("mode", "=", filter.mode);
  if (filter.createdBy) query = query.where("created_by", "=", filter.createdBy);
  if (filter.fileHash) query = query.where("file_hash", "=", filter.fileHash);
  if (filter.createdAfter) query = query.where("created_at", ">", filter.createdAfter);
  if (filter.createdBefore) query = query.where("created_at", "<", filter.createdBefore);
  const [items, count] = await Promise.all([
    query
      .selectAll()
      .orderBy("created_at", "desc")
      .orderBy("id")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.total) };
}

/**
 * Takes a job for commit: status becomes `running` when a commit was requested
 * and the job is `validated`, a retryable `failed`, or already `running` (a
 * redelivery after a worker died: its transaction rolled back, so nothing was
 * written). Whether the job really still needs applying is decided under the
 * commit transaction's lock, not here.
 */
export async function claimForCommit(db: Db, id: string): Promise<ImportJob | undefined> {
  return db
    .updateTable("ops_importjob")
    .set({
      status: "running",
      heartbeat_at: sql`now()`,
      updated_at: sql`now()`,
      failure_code: null,
      failure_message: null,
      failure_details: null,
    })
    .where("id", "=", id)
    .where("commit_requested_at", "is not", null)
    .where((eb) =>
      eb.or([
        eb("status", "in", ["validated", "running"]),
        eb.and([eb("status", "=", "failed"), eb("retryable", "=", true)]),
      ]),
    )
    .where((eb) => eb.or([eb("error_count", "=", 0), eb("allow_partial", "=", true)]))
    .returningAll()
    .executeTakeFirst();
}

/** Locks the job row for the rest of the transaction and returns it. */
export async function lockImportJob(
  trx: Transaction<Database>,
  id: string,
): Promise<ImportJob | undefined> {
  return trx
    .selectFrom("ops_importjob")
    .selectAll()
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Records a commit request in one conditional UPDATE, so two requests can never
 * both be accepted: allowed on a `validated` job with no commit requested yet,
 * or on a `failed` job whose commit failed for a retryable reason. Returns the
 * job with `commit_attempts` (the queue job id's attempt number), or undefined
 * when the job is in no state to be committed.
 */
export async function requestCommit(
  db: Db,
  id: string,
  allowPartial: boolean,
): Promise<ImportJob | undefined> {
  return db
    .updateTable("ops_importjob")
    .set((eb) => ({
      commit_requested_at: sql`now()`,
      allow_partial: allowPartial,
      commit_attempts: eb("commit_attempts", "+", 1),
      updated_at: sql`now()`,
    }))
    .where("id", "=", id)
    .where((eb) =>
      eb.or([
        eb.and([eb("status", "=", "validated"), eb("commit_requested_at", "is", null)]),
        // Once per failure: the failure's transition set updated_at after the
        // request before it, and this UPDATE sets both equal.
        eb.and([
          eb("status", "=", "failed"),
          eb("retryable", "=", true),
          eb.or([
            eb("commit_requested_at", "is", null),
            eb("commit_requested_at", "<", eb.ref("updated_at")),
          ]),
        ]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

/**
 * A new pending job for the same stored input as `source` (revalidate, SPEC §6):
 * same bytes, name and mode, `revalidated_from` pointing back. The input object
 * is shared, not copied.
 */
export async function createRevalidationJob(
  db: Db,
  source: ImportJob,
  id: string,
  createdBy: string,
  requestId?: string,
): Promise<ImportJob> {
  return createImportJob(db, {
    id,
    mode: source.mode,
    file_name: source.file_name,
    file_size: source.file_size,
    file_hash: source.file_hash,
    input_key: source.input_key,
    revalidated_from: source.id,
    created_by: createdBy,
    request_id: requestId ?? null,
  });
}
