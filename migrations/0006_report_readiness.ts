/**
 * Report readiness: the XLSX report is built by queue work of its own after the
 * job's status changed (validated, committed), not on the way to it. The job
 * records in Postgres whether the report of its current state is there:
 * `report_status` (pending, ready, failed), the generation asked for (bumped at
 * each state that changes the report), when it was asked for and when it became
 * ready. Jobs that already have a report are ready; a committed job still owing
 * db_verify owes the result's report too (pending). Frozen: never import
 * application code from a migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE ops_importjob
      ADD COLUMN report_status text CHECK (report_status IN ('pending', 'ready', 'failed')),
      ADD COLUMN report_generation integer NOT NULL DEFAULT 0,
      ADD COLUMN report_requested_at timestamptz,
      ADD COLUMN report_ready_at timestamptz;
    UPDATE ops_importjob
      SET report_status = 'ready', report_generation = 1,
          report_requested_at = coalesce(validated_at, updated_at),
          report_ready_at = updated_at
      WHERE report_key IS NOT NULL;
    -- Committed but still owing db_verify (and so the result's report): pending, so
    -- the post-commit work that completes them also has the result's report built.
    UPDATE ops_importjob
      SET report_status = 'pending', report_generation = 2,
          report_requested_at = coalesce(completed_at, updated_at), report_ready_at = NULL
      WHERE status IN ('success', 'partial') AND db_verify IS NULL AND snapshot_key IS NOT NULL;
    -- The reaper looks for report work Redis may have lost.
    CREATE INDEX ops_importjob_report_pending_idx ON ops_importjob (report_requested_at)
      WHERE report_status = 'pending';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX ops_importjob_report_pending_idx;
    ALTER TABLE ops_importjob
      DROP COLUMN report_status,
      DROP COLUMN report_generation,
      DROP COLUMN report_requested_at,
      DROP COLUMN report_ready_at;
  `.execute(db);
}
