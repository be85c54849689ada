/**
 * The webhook outbox (Standard Webhooks): one `ops_webhook_event` row per
 * phase end of a job that has a `callback_url`, written in the transaction
 * that changes the status (the job lifecycle's status-change hook), so no
 * terminal status is ever announced without having happened, nor missed. A
 * relay in the workers hands pending events to the webhook queue; each
 * delivery attempt is recorded in `ops_webhook_attempt`.
 */
import { randomUUID } from "node:crypto";
import type { Database, ImportJob, JobStatus, WebhookAttempt, WebhookEvent } from "@catalog/db";
import { type Kysely, sql, type Transaction } from "kysely";
import { type JobResource, toJobResource } from "./job-resource";

type Db = Kysely<Database> | Transaction<Database>;

/** The event type of a status, e.g. `import_job.validated`. */
export const webhookEventType = (status: JobStatus) => `import_job.${status}`;

/** A new `webhook-id`: unique per event, the same on every attempt. */
export const newWebhookId = () => `msg_${randomUUID().replace(/-/g, "")}`;

/**
 * Records one event per job in `jobs` that has a callback_url, for its current
 * status. The job lifecycle calls it, in the transaction of a status change,
 * with the jobs whose new status ends a phase (PHASE_END_STATUSES).
 */
export async function recordWebhookEvents(
  trx: Transaction<Database>,
  jobs: readonly ImportJob[],
): Promise<void> {
  const owed = jobs.filter((job) => job.callback_url);
  if (owed.length === 0) return;
  await trx
    .insertInto("ops_webhook_event")
    .values(
      owed.map((job) => ({
        id: newWebhookId(),
        job_id: job.id,
        type: webhookEventType(job.status),
        callback_url: job.callback_url ?? "",
        // Links relative to the API's base URL, which only the delivering worker knows.
        data: JSON.stringify(toJobResource(job, "")),
      })),
    )
    .execute();
}

/** The JSON body sent for `event`: `{type, timestamp, data}` with absolute links. */
export function webhookBody(event: WebhookEvent, baseUrl: string): string {
  const data = event.data as JobResource;
  const links = Object.fromEntries(
    Object.entries(data.links).map(([name, href]) => [name, `${baseUrl}${href}`]),
  );
  return JSON.stringify({
    type: event.type,
    timestamp: event.created_at.toISOString(),
    data: { ...data, links },
  });
}

/** Pending events the relay has not handed to the queue yet, oldest first. */
export async function takeUnqueuedWebhookEvents(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .updateTable("ops_webhook_event")
    .set({ enqueued_at: sql`now()` })
    .where("id", "in", (eb) =>
      eb
        .selectFrom("ops_webhook_event")
        .select("id")
        .where("state", "=", "pending")
        .where("enqueued_at", "is", null)
        .orderBy("created_at")
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning("id")
    .execute();
  return rows.map((row) => row.id);
}

/** Gives events back to the relay (their enqueue failed). */
export async function releaseWebhookEvents(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("ops_webhook_event")
    .set({ enqueued_at: null })
    .where("id", "in", ids)
    .where("state", "=", "pending")
    .execute();
}

/** Pending events handed to the queue more than `olderThanS` seconds ago (for the sweep). */
export async function findStaleQueuedWebhookEvents(db: Db, olderThanS: number): Promise<string[]> {
  const rows = await db
    .selectFrom("ops_webhook_event")
    .select("id")
    .where("state", "=", "pending")
    .where("enqueued_at", "<", sql<Date>`now() - make_interval(secs => ${olderThanS})`)
    .orderBy("created_at")
    .limit(1_000)
    .execute();
  return rows.map((row) => row.id);
}

/** One event, or undefined. */
export async function findWebhookEvent(db: Db, id: string): Promise<WebhookEvent | undefined> {
  return db
    .selectFrom("ops_webhook_event")
    .select([
      "id",
      "job_id",
      "type",
      "callback_url",
      "data",
      "state",
      "attempts",
      "created_at",
      "enqueued_at",
      "completed_at",
    ])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** What one delivery attempt saw. */
export interface AttemptOutcome {
  startedAt: Date;
  durationMs: number;
  /** Null when no HTTP answer came. */
  statusCode: number | null;
  error: string | null;
  /** The event's state after this attempt. */
  state: "pending" | "delivered" | "failed";
}

/**
 * Records an attempt and the event's new state in one transaction; the attempt
 * number is the event's count of attempts so far plus one. Returns it, or
 * undefined when the event was no longer pending (another delivery finished it).
 */
export async function recordWebhookAttempt(
  db: Kysely<Database>,
  eventId: string,
  outcome: AttemptOutcome,
): Promise<number | undefined> {
  return db.transaction().execute(async (trx) => {
    const event = await trx
      .updateTable("ops_webhook_event")
      .set((eb) => ({
        attempts: eb("attempts", "+", 1),
        state: outcome.state,
        completed_at: outcome.state === "pending" ? null : sql<Date>`now()`,
      }))
      .where("id", "=", eventId)
      .where("state", "=", "pending")
      .returning("attempts")
      .executeTakeFirst();
    if (!event) return undefined;
    await trx
      .insertInto("ops_webhook_attempt")
      .values({
        event_id: eventId,
        attempt: event.attempts,
        started_at: outcome.startedAt,
        duration_ms: Math.round(outcome.durationMs),
        status_code: outcome.statusCode,
        error: outcome.error,
      })
      .execute();
    return event.attempts;
  });
}

/** Ends an event that ran out of time without an attempt (past the retry window). */
export async function expireWebhookEvent(db: Db, eventId: string): Promise<void> {
  await db
    .updateTable("ops_webhook_event")
    .set({ state: "failed", completed_at: sql`now()` })
    .where("id", "=", eventId)
    .where("state", "=", "pending")
    .execute();
}

/** A job's webhook events with every attempt, as the deliveries route shows them. */
export interface WebhookDelivery {
  /** The `webhook-id`. */
  id: string;
  type: string;
  callback_url: string;
  state: WebhookEvent["state"];
  created_at: string;
  completed_at: string | null;
  attempts: {
    attempt: number;
    started_at: string;
    duration_ms: number;
    status_code: number | null;
    error: string | null;
  }[];
}

/** Every webhook event of job `jobId`, oldest first, with its attempts in order. */
export async function listWebhookDeliveries(db: Db, jobId: string): Promise<WebhookDelivery[]> {
  const events = await db
    .selectFrom("ops_webhook_event")
    .select(["id", "type", "callback_url", "state", "created_at", "completed_at"])
    .where("job_id", "=", jobId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  if (events.length === 0) return [];
  const attempts: WebhookAttempt[] = await db
    .selectFrom("ops_webhook_attempt")
    .select(["id", "event_id", "attempt", "started_at", "duration_ms", "status_code", "error"])
    .where(
      "event_id",
      "in",
      events.map((event) => event.id),
    )
    .orderBy("event_id")
    .orderBy("attempt")
    .execute();
  return events.map((event) => ({
    id: event.id,
    type: event.type,
    callback_url: event.callback_url,
    state: event.state,
    created_at: event.created_at.toISOString(),
    completed_at: event.completed_at?.toISOString() ?? null,
    attempts: attempts
      .filter((attempt) => attempt.event_id === event.id)
      .map((attempt) => ({
        attempt: attempt.attempt,
        started_at: attempt.started_at.toISOString(),
        duration_ms: attempt.duration_ms,
        status_code: attempt.status_code,
        error: attempt.error,
      })),
  }));
}
