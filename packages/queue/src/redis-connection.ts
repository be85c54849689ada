/**
 * Redis connections for BullMQ. Workers block on Redis and must wait through a
 * Redis restart rather than fail (`maxRetriesPerRequest: null`); producers (the
 * API) must fail fast so an upload gets a 503 instead of hanging.
 */
import { Redis } from "ioredis";

/** A connection for BullMQ workers: retries forever, as BullMQ requires. */
export function createWorkerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** A connection for producers and probes: a command fails after one retry when Redis is down. */
export function createProducerConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}
