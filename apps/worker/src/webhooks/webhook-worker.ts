/**
 * The worker side of webhooks: a BullMQ consumer of the delivery queue (one job
 * per event, its retries with the configured backoff are the attempts) and the
 * outbox relay. The relay hands events that the lifecycle recorded (in the
 * transaction of a status change) to the queue every second; a sweep re-adds
 * events whose queue job Redis lost, so Postgres, not Redis, decides what is
 * owed.
 */
import {
  findStaleQueuedWebhookEvents,
  releaseWebhookEvents,
  takeUnqueuedWebhookEvents,
} from "@catalog/jobs";
import { WEBHOOK_QUEUE, webhookPayload } from "@catalog/queue";
import { type ConnectionOptions, type Job, Queue, Worker } from "bullmq";
import { deliverWebhook, type WebhookDeliveryDependencies } from "../handlers/deliver-webhook";
import { type QueueLockSettings, queueLockOptions } from "../queue-locks";

export interface WebhookWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  /** Delay before each retry, in ms: attempt n+1 waits retryDelaysMs[n-1]. */
  retryDelaysMs: readonly number[];
  /** How often the relay looks for new events. */
  relayIntervalMs?: number;
  /** How often (and after how long) the sweep re-adds lost queue jobs. */
  sweepIntervalMs?: number;
  /** How soon a dead worker's deliveries are redelivered. Default: BullMQ's. */
  locks?: QueueLockSettings;
}

/** Events the relay moves per tick. */
const RELAY_BATCH = 100;

/** The queue job options of an event: its id, and one attempt more than there are delays. */
function deliveryOptions(eventId: string, retryDelaysMs: readonly number[]) {
  return {
    jobId: eventId,
    attempts: retryDelaysMs.length + 1,
    backoff: { type: "webhook" },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** Starts the consumer and the relay; `stop()` ends both. */
export function startWebhookWorker(
  deps: WebhookDeliveryDependencies,
  options: WebhookWorkerOptions,
): { worker: Worker; queue: Queue; stop(): Promise<void> } {
  const { connection, prefix, retryDelaysMs } = options;
  const queue = new Queue(WEBHOOK_QUEUE, { connection, prefix });
  // A Queue re-emits its connection's errors (unheard, BullMQ prints them to stderr): logged here.
  queue.on("error", (error) => deps.logger.warn({ err: error }, "Webhook queue error"));
  const worker = new Worker(
    WEBHOOK_QUEUE,
    async (job: Job) => {
      const { eventId } = webhookPayload.parse(job.data);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await deliverWebhook(eventId, deps, lastAttempt);
    },
    {
      connection,
      prefix,
      concurrency: options.concurrency,
      ...queueLockOptions(options.locks),
      settings: {
        backoffStrategy: (attemptsMade: number) =>
          retryDelaysMs[Math.min(attemptsMade, retryDelaysMs.length) - 1] ?? 0,
      },
    },
  );
  worker.on("error", (error) => deps.logger.error({ err: error }, "Webhook worker error"));

  const enqueue = async (ids: readonly string[]) => {
    for (const id of ids) {
      await queue.add("deliver", { eventId: id }, deliveryOptions(id, retryDelaysMs));
    }
  };
  const relay = async () => {
    const ids = await takeUnqueuedWebhookEvents(deps.db, RELAY_BATCH);
    try {
      await enqueue(ids);
    } catch (error) {
      await releaseWebhookEvents(deps.db, ids);
      throw error;
    }
  };
  // A pending event whose queue job is gone (Redis lost it) or finished without
  // settling the event (a crash between the attempt and its record) is re-added.
  const sweep = async () => {
    const sweepAfterS = (options.sweepIntervalMs ?? 60_000) / 1000;
    for (const id of await findStaleQueuedWebhookEvents(deps.db, sweepAfterS)) {
      const job = await queue.getJob(id);
      const state = job ? await job.getState() : "missing";
      if (state === "completed" || state === "failed") await job?.remove();
      if (
        state === "completed" ||
        state === "failed" ||
        state === "missing" ||
        state === "unknown"
      ) {
        await enqueue([id]);
      }
    }
  };
  let stopped = false;
  const loop = (work: () => Promise<void>, everyMs: number, what: string) => {
    const tick = async () => {
      if (stopped) return;
      try {
        await work();
      } catch (error) {
        deps.logger.warn({ err: error }, `Webhook ${what} failed; next tick retries`);
      }
      if (!stopped) timer = setTimeout(tick, everyMs);
    };
    let timer = setTimeout(tick, 0);
    return () => clearTimeout(timer);
  };
  const stopRelay = loop(relay, options.relayIntervalMs ?? 1_000, "relay");
  const stopSweep = loop(sweep, options.sweepIntervalMs ?? 60_000, "sweep");
  return {
    worker,
    queue,
    stop: async () => {
      stopped = true;
      stopRelay();
      stopSweep();
      await worker.close();
      await queue.close();
    },
  };
}
