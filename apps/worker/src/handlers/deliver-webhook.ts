/**
 * One delivery attempt of a webhook event: POST the signed body to the job's
 * callback_url, record the attempt (status code, duration) and the event's
 * state. A non-2xx answer or a timeout throws, so BullMQ retries the same job
 * (same event, same `webhook-id`) with the configured backoff; the last attempt
 * (or one past the retry window) marks the event failed. A redirect is not
 * followed: the allow-list checked the URL given, not where it points.
 */
import {
  expireWebhookEvent,
  findWebhookEvent,
  recordWebhookAttempt,
  webhookBody,
} from "@catalog/jobs";
import type { Logger } from "@catalog/observability";
import type { Database } from "@catalog/db";
import type { Kysely } from "kysely";
import { webhookHeaders } from "../webhooks/webhook-signature";

/** What a delivery needs. */
export interface WebhookDeliveryDependencies {
  db: Kysely<Database>;
  logger: Logger;
  webhooks: {
    /** Key bytes of WEBHOOK_SECRET. */
    key: Buffer;
    /** The API's public base URL, for the job's links. */
    baseUrl: string;
    /** How long one attempt may take. */
    timeoutMs: number;
    /** Events older than this are not attempted any more. */
    retryWindowMs: number;
  };
}

/** Longest error text kept per attempt. */
const ERROR_TEXT = 500;

/**
 * Attempts event `eventId`; `lastAttempt` says the queue will not retry it.
 * Resolves when delivered (or nothing is owed), throws to be retried.
 */
export async function deliverWebhook(
  eventId: string,
  deps: WebhookDeliveryDependencies,
  lastAttempt: boolean,
): Promise<void> {
  const event = await findWebhookEvent(deps.db, eventId);
  if (event?.state !== "pending") return;
  const log = deps.logger.child({ job_id: event.job_id, webhook_id: event.id, type: event.type });
  if (Date.now() - event.created_at.getTime() > deps.webhooks.retryWindowMs) {
    await expireWebhookEvent(deps.db, event.id);
    log.warn("Webhook not delivered within the retry window: given up");
    return;
  }

  const body = webhookBody(event, deps.webhooks.baseUrl);
  const startedAt = new Date();
  const timestamp = Math.floor(startedAt.getTime() / 1000);
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(event.callback_url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "catalog-import-webhooks",
        ...webhookHeaders(deps.webhooks.key, event.id, timestamp, body),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(deps.webhooks.timeoutMs),
    });
    statusCode = response.status;
    // The answer's body is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
  } catch (cause) {
    error = (cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)).slice(
      0,
      ERROR_TEXT,
    );
  }
  const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
  const attempt = await recordWebhookAttempt(deps.db, event.id, {
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    statusCode,
    error,
    state: delivered ? "delivered" : lastAttempt ? "failed" : "pending",
  });
  if (delivered) {
    log.info({ attempt, status_code: statusCode }, "Webhook delivered");
    return;
  }
  const reason = statusCode === null ? error : `HTTP ${statusCode}`;
  log.warn({ attempt, status_code: statusCode, error }, "Webhook attempt failed");
  throw new Error(`Webhook ${event.id} attempt ${attempt ?? "?"} failed: ${reason}`);
}
