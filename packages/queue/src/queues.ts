/**
 * The job catalog: each queue's name, payload schema and options. Payloads carry
 * the import id only; a worker re-reads the job from Postgres and checks its
 * status before acting, so a duplicate or stale delivery does nothing.
 */
import { z } from "zod";

/** Queue names, by the work they carry. */
export const QUEUE_NAMES = {
  validate: "import-validate",
  commit: "import-commit",
  revert: "import-revert",
  /**
   * The job's XLSX report, built after the status that asks for it (validated,
   * committed); one queue job per report generation (`report-<uuid>-<generation>`).
   */
  report: "import-report",
} as const;

export type QueueKind = keyof typeof QUEUE_NAMES;

/**
 * The queue where earlier versions kept the reaper's job scheduler. Maintenance
 * now runs from the workers themselves (chosen through Postgres); workers
 * remove a leftover scheduler at start so it does not fill a queue nobody reads.
 */
export const LEGACY_MAINTENANCE_QUEUE = "import-maintenance";

/**
 * Every queue's payload: the import job's id and, when an API request asked for
 * the work, that request's id (only to tag the worker's log lines with it).
 */
export const importJobPayload = z.object({
  importId: z.uuid(),
  requestId: z.string().max(128).optional(),
});
export type ImportJobPayload = z.infer<typeof importJobPayload>;

/**
 * The BullMQ job id for an import's work on a queue, e.g. `validate-<uuid>`. One
 * id per (kind, import) makes a second enqueue of the same work a no-op while the
 * first is still in the queue. A hyphen, not a colon: BullMQ rejects `:` in
 * custom ids (it separates Redis key parts).
 */
export function queueJobId(kind: QueueKind, importId: string, attempt = 0): string {
  return attempt === 0 ? `${kind}-${importId}` : `${kind}-${importId}-${attempt}`;
}

/** The queue of webhook deliveries (one BullMQ job per event; its retries are the attempts). */
export const WEBHOOK_QUEUE = "webhook-deliver";

/** A webhook delivery's payload: the event's id (its `webhook-id`), nothing else. */
export const webhookPayload = z.object({ eventId: z.string().min(1).max(100) });
export type WebhookPayload = z.infer<typeof webhookPayload>;
