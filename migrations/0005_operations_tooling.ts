/**
 * Operations tooling: the request id of the API request that created a job
 * (carried into the worker's log lines for it), indexes on the object keys of
 * jobs, and a record of every object the retention deleted from the bucket. Frozen: never import application code
 * from a migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE ops_importjob ADD COLUMN request_id text;
    -- The retention looks up which jobs refer to each listed object.
    CREATE INDEX ops_importjob_input_key_idx ON ops_importjob (input_key);
    CREATE INDEX ops_importjob_snapshot_key_idx ON ops_importjob (snapshot_key);
    CREATE INDEX ops_importjob_report_key_idx ON ops_importjob (report_key);

    CREATE TABLE ops_object_deletion (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      object_key text NOT NULL,
      -- input, snapshot or report when the key says so; null for an unknown object.
      kind text,
      -- The job the object belonged to, if any (no foreign key: the record
      -- outlives whatever happens to the job row).
      job_id uuid,
      -- expired: its job finished more than SNAPSHOT_RETENTION_DAYS ago;
      -- orphaned: no job refers to it.
      reason text NOT NULL CHECK (reason IN ('expired', 'orphaned')),
      size_bytes bigint,
      -- Who deleted it: the worker's retention task or an operator's importctl.
      deleted_by text NOT NULL,
      deleted_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ops_object_deletion_deleted_at_idx ON ops_object_deletion (deleted_at);
    CREATE INDEX ops_object_deletion_job_id_idx ON ops_object_deletion (job_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE ops_object_deletion;
    DROP INDEX ops_importjob_input_key_idx;
    DROP INDEX ops_importjob_snapshot_key_idx;
    DROP INDEX ops_importjob_report_key_idx;
    ALTER TABLE ops_importjob DROP COLUMN request_id;
  `.execute(db);
}
