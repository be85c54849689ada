/**
 * How soon a dead worker's queue work goes to another worker. BullMQ gives each
 * job in progress a lock that the live worker renews every half of its duration;
 * a worker that dies stops renewing, and the next stalled check after the lock
 * has expired puts the job back in its queue. So work is redelivered within about
 * the lock's duration plus the stalled interval (30 s + 30 s by default).
 */

/** A queue job's lock duration and the interval of the stalled checks. */
export interface QueueLockSettings {
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/** BullMQ Worker options for `locks` (none given: BullMQ's defaults). */
export function queueLockOptions(locks: QueueLockSettings | undefined) {
  return locks
    ? { lockDuration: locks.lockDurationMs, stalledInterval: locks.stalledIntervalMs }
    : {};
}
