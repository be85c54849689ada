/**
 * For API clients: Idempotency-Key records with their request fingerprint and
 * expiry (IETF draft httpapi-idempotency-key-header), a job's webhook
 * `callback_url`, the webhook outbox (one row per event, written in the same
 * transaction as the status it announces) with every delivery attempt, and the
 * index the job list's cursor pagination walks.
 * Frozen: never import application code from a migration.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ops_idempotency_key (
      created_by text NOT NULL,
      key text NOT NULL,
      -- SHA-256 of the request (file hash, mode, file name, callback_url); NULL for
      -- keys recorded before fingerprints existed, which match any request.
      fingerprint char(64),
      job_id uuid NOT NULL REFERENCES ops_importjob (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (created_by, key)
    );
    CREATE INDEX ops_idempotency_key_expires_at_idx ON ops_idempotency_key (expires_at);
    INSERT INTO ops_idempotency_key (created_by, key, fingerprint, job_id, created_at, expires_at)
      SELECT created_by, idempotency_key, NULL, id, created_at, created_at + interval '24 hours'
      FROM ops_importjob WHERE idempotency_key IS NOT NULL;
    -- The key stays on the job as a record of how it was made; uniqueness (and
    -- expiry) now belong to ops_idempotency_key, so an expired key can be used again.
    DROP INDEX ops_importjob_idempotency_key_idx;

    ALTER TABLE ops_importjob ADD COLUMN callback_url text;

    -- Keyset pagination of the job list: newest first, ties by id.
    CREATE INDEX ops_importjob_created_at_id_idx ON ops_importjob (created_at DESC, id DESC);

    CREATE TABLE ops_webhook_event (
      -- The webhook-id header: the same on every attempt of this event.
      id text PRIMARY KEY,
      job_id uuid NOT NULL REFERENCES ops_importjob (id),
      type text NOT NULL,
      callback_url text NOT NULL,
      -- The job resource when the event happened (links relative to the API's base
      -- URL). json, not jsonb: its key order is kept, so every attempt sends the
      -- same bytes.
      data json NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- When the relay last handed it to the queue (NULL: not yet).
      enqueued_at timestamptz,
      completed_at timestamptz
    );
    CREATE INDEX ops_webhook_event_job_id_idx ON ops_webhook_event (job_id, created_at);
    CREATE INDEX ops_webhook_event_pending_idx ON ops_webhook_event (created_at)
      WHERE state = 'pending';

    CREATE TABLE ops_webhook_attempt (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id text NOT NULL REFERENCES ops_webhook_event (id),
      attempt integer NOT NULL,
      started_at timestamptz NOT NULL,
      duration_ms integer NOT NULL,
      -- NULL when no HTTP answer came (timeout, refused connection).
      status_code integer,
      error text,
      UNIQUE (event_id, attempt)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE ops_webhook_attempt;
    DROP TABLE ops_webhook_event;
    DROP INDEX ops_importjob_created_at_id_idx;
    ALTER TABLE ops_importjob DROP COLUMN callback_url;
    DROP TABLE ops_idempotency_key;
    CREATE UNIQUE INDEX ops_importjob_idempotency_key_idx
      ON ops_importjob (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
  `.execute(db);
}
