/**
 * Queue depth and wait for the metrics: how many jobs each import queue holds
 * by state (import_queue_jobs) and how long the oldest waiting one has waited
 * (import_queue_oldest_waiting_seconds). Every worker reports the same numbers
 * for the shared queues, so dashboards and alerts take max() over instances.
 */
import type { ImportQueues } from "@catalog/jobs";
import { type Metrics, QUEUE_STATES } from "@catalog/observability";

/** Reads every queue's counts and oldest waiting job into the gauges. */
export async function refreshQueueMetrics(
  queues: ImportQueues,
  metrics: Metrics,
  now: () => number = Date.now,
): Promise<void> {
  await Promise.all(
    Object.values(queues).map(async (queue) => {
      const [counts, [oldest]] = await Promise.all([
        queue.getJobCounts(...QUEUE_STATES),
        // Ascending: the job that has waited longest comes first.
        queue.getWaiting(0, 0),
      ]);
      for (const state of QUEUE_STATES)
        metrics.queueJobs.set({ queue: queue.name, state }, counts[state] ?? 0);
      const waited = oldest ? Math.max(0, (now() - oldest.timestamp) / 1000) : 0;
      metrics.queueOldestWaiting.set({ queue: queue.name }, waited);
    }),
  );
}
