/**
 * The change log's `job_id` is no longer a foreign key to `ops_importjob`. Postgres
 * checks a foreign key row by row (one lookup and one row lock on the job's row per
 * change-log row), which was a tenth of every logged write of a commit: 15,000
 * checks of the same job row for a 10,000-variant file. The reference it checked
 * holds by construction: change-log rows are written only by their job's commit,
 * inside the transaction that holds that job's row locked (FOR UPDATE), and job
 * rows are never deleted (retention deletes objects, not jobs). The index on
 * `job_id` stays. Frozen: never import application code from a migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE ops_import_change DROP CONSTRAINT ops_import_change_job_id_fkey`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE ops_import_change
      ADD CONSTRAINT ops_import_change_job_id_fkey FOREIGN KEY (job_id) REFERENCES ops_importjob (id)`.execute(
    db,
  );
}
