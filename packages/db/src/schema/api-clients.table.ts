/**
 * Tables for API clients: Idempotency-Key records, and the webhook outbox with
 * its delivery attempts (Standard Webhooks).
 */
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

/** One Idempotency-Key of one caller, the job it made, and when it expires. */
export interface IdempotencyKeyTable {
  created_by: string;
  key: string;
  /** SHA-256 of the request; null for keys recorded before fingerprints (match anything). */
  fingerprint: string | null;
  job_id: string;
  created_at: Generated<Date>;
  expires_at: Date;
}

export const WEBHOOK_EVENT_STATES = ["pending", "delivered", "failed"] as const;
export type WebhookEventState = (typeof WEBHOOK_EVENT_STATES)[number];

/** A webhook event owed to a job's callback_url (the outbox). */
export interface WebhookEventTable {
  /** The `webhook-id` header, the same on every attempt. */
  id: string;
  job_id: string;
  /** `import_job.<status>`. */
  type: string;
  callback_url: string;
  /** The job resource when the event happened, links relative to the API's base URL. */
  data: ColumnType<unknown, string, string>;
  state: ColumnType<WebhookEventState, WebhookEventState | undefined, WebhookEventState>;
  attempts: Generated<number>;
  created_at: Generated<Date>;
  enqueued_at: Date | null;
  completed_at: Date | null;
}

/** One delivery attempt of an event. */
export interface WebhookAttemptTable {
  id: Generated<string>;
  event_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  /** Null when no HTTP answer came (timeout, refused connection). */
  status_code: number | null;
  error: string | null;
}

export type IdempotencyKey = Selectable<IdempotencyKeyTable>;
export type WebhookEvent = Selectable<WebhookEventTable>;
export type NewWebhookEvent = Insertable<WebhookEventTable>;
export type WebhookAttempt = Selectable<WebhookAttemptTable>;
