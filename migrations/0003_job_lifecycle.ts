/**
 * The job lifecycle's additions: the `cancelled` status (SPEC §7), where a
 * refused revert is recorded (it used to be written as the job's failure, on a
 * job that had not failed), and an index for the post-commit work a committed
 * job still owes (db_verify and the rewritten report, found by the reaper).
 * Frozen: never import application code from a migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE ops_importjob DROP CONSTRAINT ops_importjob_status_check;
    ALTER TABLE ops_importjob ADD CONSTRAINT ops_importjob_status_check CHECK (status IN
      ('pending', 'validating', 'validated', 'running', 'success', 'partial', 'failed',
       'reverted', 'cancelled'));

    -- {code, message, details, at} of the last refused revert; the status stays as it was.
    ALTER TABLE ops_importjob ADD COLUMN revert_refusal jsonb;

    -- Committed jobs whose db_verify and report are still owed (a crash after COMMIT).
    CREATE INDEX ops_importjob_post_commit_owed_idx ON ops_importjob (completed_at)
      WHERE status IN ('success', 'partial') AND db_verify IS NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX ops_importjob_post_commit_owed_idx;
    ALTER TABLE ops_importjob DROP COLUMN revert_refusal;
    UPDATE ops_importjob SET status = 'failed', failure_code = 'MANUALLY_FAILED',
      failure_message = 'cancelled (status removed by a migration rollback)'
      WHERE status = 'cancelled';
    ALTER TABLE ops_importjob DROP CONSTRAINT ops_importjob_status_check;
    ALTER TABLE ops_importjob ADD CONSTRAINT ops_importjob_status_check CHECK (status IN
      ('pending', 'validating', 'validated', 'running', 'success', 'partial', 'failed', 'reverted'));
  `.execute(db);
}
