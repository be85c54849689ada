/**
 * Redis connections for BullMQ. Workers block on Redis and must wait through a
 * Redis restart rather than fail (`maxRetriesPerRequest: null`); producers (the
 * API) must fail fast so an upload gets a 503 instead of hanging.
 *
 * Every connection gets an `error` listener: ioredis reports each failed
 * (re)connection attempt as an `error` event, and a lost Redis is an outage to
 * log and wait out, never a reason for a process to exit. ioredis reconnects by
 * itself (`retryStrategy`), so the listener only reports.
 */
import { Redis } from "ioredis";

/** Told about every Redis connection error; it must not throw. */
export type RedisErrorListener = (error: Error) => void;

export interface RedisConnectionOptions {
  /** Told about connection errors (the process logs them). Default: one line on stderr. */
  onError?: RedisErrorListener;
}

const writeToStderr: RedisErrorListener = (error) => {
  process.stderr.write(`Redis connection error: ${error.message}\n`);
};

/**
 * Reconnect delay: quick at first, then every 2 s for as long as it takes (a
 * Redis restart can take a while; giving up would leave the process deaf).
 */
const reconnectDelayMs = (attempt: number) => Math.min(attempt * 200, 2_000);

/** A connection for BullMQ workers: retries forever, as BullMQ requires. */
export function createWorkerConnection(url: string, options: RedisConnectionOptions = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: reconnectDelayMs,
  });
  redis.on("error", options.onError ?? writeToStderr);
  return redis;
}

/** A connection for producers and probes: a command fails after one retry when Redis is down. */
export function createProducerConnection(url: string, options: RedisConnectionOptions = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: reconnectDelayMs,
  });
  redis.on("error", options.onError ?? writeToStderr);
  return redis;
}

/**
 * Logs Redis errors without flooding: while Redis is down ioredis reports every
 * reconnect attempt (several a second), so repeats of the same message are
 * counted and reported at most once per `intervalMs`.
 */
export function throttledErrorListener(
  report: (error: Error, repeats: number) => void,
  intervalMs = 10_000,
): RedisErrorListener {
  let lastMessage = "";
  let lastAt = 0;
  let repeats = 0;
  return (error) => {
    const now = Date.now();
    if (error.message === lastMessage && now - lastAt < intervalMs) {
      repeats += 1;
      return;
    }
    report(error, repeats);
    lastMessage = error.message;
    lastAt = now;
    repeats = 0;
  };
}
