/**
 * Reading import jobs. Every read names its columns (JOB_COLUMNS: all but
 * `report_json`), so no list or per-job route ever loads a report of every issue
 * and candidate. Writes are not here: they are the named transitions of
 * job-lifecycle.ts.
 */
import type { Database, ImportJob, ImportMode, JobStatus } from "@catalog/db";
import { type Kysely, sql, type Transaction } from "kysely";

type Db = Kysely<Database> | Transaction<Database>;

/** Every column of ops_importjob but `report_json`: what a job read selects. */
export const JOB_COLUMNS = [
  "id",
  "status",
  "mode",
  "file_name",
  "file_size",
  "file_hash",
  "idempotency_key",
  "callback_url",
  "input_key",
  "snapshot_key",
  "snapshot_hash",
  "report_key",
  "report_status",
  "report_generation",
  "report_requested_at",
  "report_ready_at",
  "summary",
  "result",
  "db_verify",
  "total_rows",
  "created_count",
  "updated_count",
  "unchanged_count",
  "error_count",
  "warning_count",
  "allow_partial",
  "commit_requested_at",
  "commit_attempts",
  "failure_code",
  "failure_message",
  "failure_details",
  "revert_refusal",
  "retryable",
  "progress",
  "revalidated_from",
  "created_by",
  "request_id",
  "created_at",
  "started_at",
  "validated_at",
  "completed_at",
  "heartbeat_at",
  "updated_at",
] as const satisfies readonly (keyof ImportJob)[];

// A column added to the table must be added above (or the build fails here).
type MissingColumn = Exclude<keyof ImportJob, (typeof JOB_COLUMNS)[number]>;
const _everyColumn: [MissingColumn] extends [never] ? true : MissingColumn = true;
void _everyColumn;

/** Statuses in which an earlier upload of the same bytes is reused (idempotency by file hash). */
export const REUSABLE_STATUSES: readonly JobStatus[] = ["pending", "validating", "validated"];

/** Statuses no worker will move on from by itself. */
export const FINAL_STATUSES: readonly JobStatus[] = [
  "success",
  "partial",
  "failed",
  "reverted",
  "cancelled",
];

/** The job with this id, or undefined. */
export async function findImportJob(db: Db, id: string): Promise<ImportJob | undefined> {
  return db.selectFrom("ops_importjob").select(JOB_COLUMNS).where("id", "=", id).executeTakeFirst();
}

/**
 * The job's validation report JSON (summary, issues, candidates), or undefined
 * when the job has none. The one read of `report_json` outside Postgres: for
 * tools and tests that need the whole document.
 */
export async function findJobReportJson(db: Db, id: string): Promise<unknown> {
  const row = await db
    .selectFrom("ops_importjob")
    .select("report_json")
    .where("id", "=", id)
    .executeTakeFirst();
  return row?.report_json ?? undefined;
}

/** An earlier job for the same bytes and mode that is still pending, validating or validated. */
export async function findReusableJob(
  db: Db,
  fileHash: string,
  mode: ImportMode,
): Promise<ImportJob | undefined> {
  return db
    .selectFrom("ops_importjob")
    .select(JOB_COLUMNS)
    .where("file_hash", "=", fileHash)
    .where("mode", "=", mode)
    .where("status", "in", REUSABLE_STATUSES)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
}

/** A job revalidated from `sourceId` that has not finished validating yet, if any. */
export async function findRevalidationInProgress(
  db: Db,
  sourceId: string,
): Promise<ImportJob | undefined> {
  return db
    .selectFrom("ops_importjob")
    .select(JOB_COLUMNS)
    .where("revalidated_from", "=", sourceId)
    .where("status", "in", ["pending", "validating"])
    .executeTakeFirst();
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

/**
 * Where a page starts: after `offset` rows, or after the job `afterId` in the
 * list's order (keyset pagination: stable while new jobs arrive).
 */
export type JobListPage = { limit: number } & ({ offset: number } | { afterId: string });

/**
 * A page of jobs, newest first (ties by id, descending), the total matching
 * the filter, and whether more follow the page.
 */
export async function listImportJobs(
  db: Db,
  filter: JobListFilter,
  page: JobListPage,
): Promise<{ items: ImportJob[]; total: number; more: boolean }> {
  let query = db.selectFrom("ops_importjob");
  const statuses = filter.status === undefined ? [] : ([] as JobStatus[]).concat(filter.status);
  if (statuses.length) query = query.where("status", "in", statuses);
  if (filter.mode) query = query.where("mode", "=", filter.mode);
  if (filter.createdBy) query = query.where("created_by", "=", filter.createdBy);
  if (filter.fileHash) query = query.where("file_hash", "=", filter.fileHash);
  if (filter.createdAfter) query = query.where("created_at", ">", filter.createdAfter);
  if (filter.createdBefore) query = query.where("created_at", "<", filter.createdBefore);
  let pageQuery = query;
  if ("afterId" in page) {
    // Compared in Postgres: created_at has microseconds, a JS Date only milliseconds.
    pageQuery = pageQuery.where(
      sql<boolean>`(created_at, id) < (SELECT created_at, id FROM ops_importjob WHERE id = ${page.afterId})`,
    );
  }
  const [rows, count] = await Promise.all([
    pageQuery
      .select(JOB_COLUMNS)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(page.limit + 1)
      .offset("offset" in page ? page.offset : 0)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.slice(0, page.limit),
    total: Number(count.total),
    more: rows.length > page.limit,
  };
}

/** Failed jobs created in the last `hours` hours, newest first, at most `limit`. */
export async function listRecentFailedJobs(
  db: Db,
  hours: number,
  limit: number,
): Promise<ImportJob[]> {
  return db
    .selectFrom("ops_importjob")
    .select(JOB_COLUMNS)
    .where("status", "=", "failed")
    .where(sql<boolean>`created_at > now() - make_interval(hours => ${hours})`)
    .orderBy("created_at", "desc")
    .orderBy("id")
    .limit(limit)
    .execute();
}

/** Locks the job row for the rest of the transaction and returns it. */
export async function lockImportJob(
  trx: Transaction<Database>,
  id: string,
): Promise<ImportJob | undefined> {
  return trx
    .selectFrom("ops_importjob")
    .select(JOB_COLUMNS)
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}
