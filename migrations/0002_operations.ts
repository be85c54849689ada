/**
 * Operations tables: import jobs (SPEC §7), stored objects (the runbook's Media
 * table, SPEC §5), the commit change log (for revert, SPEC §6) and API tokens
 * (SPEC §8). Frozen: never import application code from a migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ops_api_token (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL,
      role text NOT NULL CHECK (role IN ('viewer', 'importer', 'admin')),
      token_hash char(64) NOT NULL UNIQUE,
      token_prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );

    CREATE TABLE ops_importjob (
      id uuid PRIMARY KEY,
      status text NOT NULL CHECK (status IN
        ('pending', 'validating', 'validated', 'running', 'success', 'partial', 'failed', 'reverted')),
      mode text NOT NULL CHECK (mode IN ('strict', 'smart')),
      file_name text NOT NULL,
      file_size bigint NOT NULL,
      file_hash char(64) NOT NULL,
      idempotency_key text,
      input_key text NOT NULL,
      snapshot_key text,
      snapshot_hash char(64),
      report_key text,
      report_json jsonb,
      summary jsonb,
      result jsonb,
      db_verify jsonb,
      total_rows integer,
      created_count integer,
      updated_count integer,
      unchanged_count integer,
      error_count integer,
      warning_count integer,
      allow_partial boolean,
      -- Set when a commit is requested; a second request while set is refused (409).
      commit_requested_at timestamptz,
      -- Commit attempts requested so far; distinguishes a retry's queue job id.
      commit_attempts integer NOT NULL DEFAULT 0,
      failure_code text,
      failure_message text,
      failure_details jsonb,
      retryable boolean NOT NULL DEFAULT false,
      progress jsonb,
      revalidated_from uuid REFERENCES ops_importjob (id),
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      validated_at timestamptz,
      completed_at timestamptz,
      heartbeat_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    -- Not unique: the same file may be imported again later (SPEC §2).
    CREATE INDEX ops_importjob_file_hash_idx ON ops_importjob (file_hash);
    CREATE INDEX ops_importjob_status_updated_at_idx ON ops_importjob (status, updated_at);
    CREATE INDEX ops_importjob_created_at_idx ON ops_importjob (created_at);
    CREATE UNIQUE INDEX ops_importjob_idempotency_key_idx
      ON ops_importjob (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL;

    CREATE TABLE catalog_media (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      filename text NOT NULL,
      object_key text NOT NULL UNIQUE,
      kind text NOT NULL CHECK (kind IN ('input', 'snapshot', 'report')),
      job_id uuid REFERENCES ops_importjob (id) ON DELETE SET NULL,
      content_type text NOT NULL,
      size_bytes bigint NOT NULL,
      sha256 char(64) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX catalog_media_job_id_idx ON catalog_media (job_id);

    CREATE TABLE ops_import_change (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      job_id uuid NOT NULL REFERENCES ops_importjob (id),
      entity text NOT NULL CHECK (entity IN ('category', 'series', 'brand', 'product', 'variant')),
      entity_id bigint NOT NULL,
      entity_key text NOT NULL,
      action text NOT NULL CHECK (action IN ('create', 'update')),
      before jsonb,
      after jsonb NOT NULL,
      version_after integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ops_import_change_job_id_idx ON ops_import_change (job_id);
    CREATE INDEX ops_import_change_entity_idx ON ops_import_change (entity, entity_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE ops_import_change;
    DROP TABLE catalog_media;
    DROP TABLE ops_importjob;
    DROP TABLE ops_api_token;
  `.execute(db);
}
