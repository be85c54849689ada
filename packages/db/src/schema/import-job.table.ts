/**
 * Import jobs (SPEC §7). Postgres is the source of truth for a job's state; the
 * queue only carries its id. `heartbeat_at` is touched while a worker holds the
 * job, so the reaper can tell a slow job from a lost one.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * Every state a job can be in, in lifecycle order. Which transition moves a job
 * between them is decided in one place: packages/jobs/src/job-lifecycle.ts.
 */
export const JOB_STATUSES = [
  "pending",
  "validating",
  "validated",
  "running",
  "success",
  "partial",
  "failed",
  "reverted",
  "cancelled",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const IMPORT_MODES = ["strict", "smart"] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

/** Arbitrary JSON stored in a jsonb column, written as a JSON string. */
type Json<T> = ColumnType<T, string, string>;

/**
 * What a job is doing now, for progress bars: `{phase, done, total}`; while a
 * failed attempt waits for its retry, `retry` says which attempt failed, why,
 * and when the next one is due.
 */
/**
 * Whether the report of the job's current state is stored: `pending` from the
 * state that asked for it (validated, committed) until its queue work stored it,
 * `ready` once stored, `failed` when that work can never succeed. Null: no
 * report is owed (the job never validated).
 */
export const REPORT_STATUSES = ["pending", "ready", "failed"] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export interface JobProgress {
  phase: "upload" | "validate" | "commit" | "revert";
  done: number;
  total: number;
  retry?: { attempt: number; code: string; message: string; next_attempt_at: string };
}

export interface ImportJobTable {
  id: string;
  status: JobStatus;
  mode: ImportMode;
  file_name: string;
  file_size: ColumnType<number, number, number>;
  file_hash: string;
  /** The Idempotency-Key the job was created with (its record, with expiry, is ops_idempotency_key). */
  idempotency_key: string | null;
  /** Where the job's webhooks go (Standard Webhooks), if the upload named one. */
  callback_url: string | null;
  input_key: string;
  snapshot_key: string | null;
  snapshot_hash: string | null;
  report_key: string | null;
  /** The validation report: summary, issues, candidates, normalization log (SPEC §4). */
  report_json: Json<unknown> | null;
  summary: Json<unknown> | null;
  /** Counts as applied by commit (same shape as the summary's candidates/products/variants). */
  result: Json<unknown> | null;
  /**
   * db_verify's findings (SPEC §6), written together with the report rewritten
   * after commit: a `success`/`partial` job without it still owes that work.
   */
  db_verify: Json<unknown> | null;
  /** Whether the report of the job's current state is stored (see ReportStatus). */
  report_status: ReportStatus | null;
  /**
   * Bumped each time the job's state changes what its report shows (validated,
   * committed): the report work of an older generation never records over a newer one.
   */
  report_generation: Generated<number>;
  /** When the report of the current generation was asked for. */
  report_requested_at: Date | null;
  /** When the report of the current generation was stored. */
  report_ready_at: Date | null;
  total_rows: number | null;
  created_count: number | null;
  updated_count: number | null;
  unchanged_count: number | null;
  error_count: number | null;
  warning_count: number | null;
  allow_partial: boolean | null;
  /** When a commit was requested; a second request while it is set is refused. */
  commit_requested_at: Date | null;
  /** Commit attempts requested so far (a retry after a transient failure gets a new queue job id). */
  commit_attempts: Generated<number>;
  failure_code: string | null;
  failure_message: string | null;
  failure_details: Json<unknown> | null;
  /**
   * Why the last revert request was refused (`{code, message, details, at}`;
   * details name the conflicting keys). The job keeps its status: a refused
   * revert changes nothing, so it is no failure of the job.
   */
  revert_refusal: Json<unknown> | null;
  /** Whether a failed commit may be committed again (a transient cause). */
  retryable: Generated<boolean>;
  progress: Json<JobProgress> | null;
  /** The job this one was revalidated from, if any. */
  revalidated_from: string | null;
  created_by: string;
  /** The id of the API request that created the job (its X-Request-Id), for log correlation. */
  request_id: string | null;
  created_at: Generated<Date>;
  started_at: Date | null;
  validated_at: Date | null;
  completed_at: Date | null;
  heartbeat_at: Date | null;
  updated_at: Generated<Date>;
}

/** A stored job row, every column. */
export type ImportJobRow = Selectable<ImportJobTable>;
/**
 * A job as the application reads it: every column but `report_json`, which
 * holds every issue and candidate (megabytes for a large file) and is read only
 * where it is needed, inside Postgres (the issues page) or on its own.
 */
export type ImportJob = Omit<ImportJobRow, "report_json">;
export type NewImportJob = Insertable<ImportJobTable>;
export type ImportJobUpdate = Updateable<ImportJobTable>;
