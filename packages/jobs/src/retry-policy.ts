/**
 * How long work is retried. An infrastructure outage (a Postgres restart or
 * failover, S3 or Redis down for a minute) must be outlasted, not spent in a few
 * seconds: attempts back off exponentially (2 s, 4 s, 8 s ... capped at 60 s, each
 * with ±20% jitter so workers do not retry in step), which with the defaults
 * spreads 10 attempts over about five minutes of waiting, plus the attempts'
 * own time. Unexpected errors (bugs) get only a few attempts.
 *
 * The policy lives on the worker (BullMQ's custom backoff strategy); producers
 * only mark their jobs with {@link RETRY_BACKOFF_TYPE} and a generous attempts
 * cap, so the worker's policy decides.
 */

export interface RetryPolicy {
  /** Attempts at work failing for an outage, the first included. */
  attempts: number;
  /** Attempts at work failing for an unexpected reason, the first included. */
  unexpectedAttempts: number;
  /** Delay before the first retry. */
  baseDelayMs: number;
  /** Longest delay between two attempts. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 10,
  unexpectedAttempts: 3,
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
};

/** The BullMQ backoff type whose delays the worker's policy computes. */
export const RETRY_BACKOFF_TYPE = "infrastructure";

/**
 * Attempts BullMQ allows a queue job at most: a cap above any policy, so the
 * worker's policy is what ends the retries (and a failure it could not record,
 * Postgres being down too, is simply tried again).
 */
export const QUEUE_ATTEMPTS_CAP = 50;

/** Delay before attempt `attemptsMade + 1`, given `attemptsMade` failed attempts (1 or more). */
export function retryDelayMs(
  policy: RetryPolicy,
  attemptsMade: number,
  random = Math.random,
): number {
  const exponent = Math.max(0, attemptsMade - 1);
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 30));
  return Math.round(delay * (0.8 + 0.4 * random()));
}

/** The waiting time between the first attempt and the last, without jitter: how long an outage may last. */
export function retryWindowMs(policy: RetryPolicy): number {
  let total = 0;
  for (let made = 1; made < policy.attempts; made++) total += retryDelayMs(policy, made, () => 0.5);
  return total;
}
