/**
 * Redis connections for BullMQ, to one Redis server or to a Redis Cluster. Workers
 * block on Redis and must wait through a Redis restart rather than fail
 * (`maxRetriesPerRequest: null`); producers (the API) must fail fast so an upload
 * gets a 503 instead of hanging.
 *
 * `REDIS_URL` names a cluster with the scheme `redis+cluster://` (`rediss+cluster://`
 * for TLS) and one of its nodes, or a configuration endpoint: the client asks it
 * for the cluster's layout and then talks to every master itself. User and password
 * in the URL apply to every node. On a cluster, BullMQ's multi-key Lua scripts need
 * every key of a queue in one hash slot, hence a queue prefix with a hash tag
 * (`QUEUE_PREFIX`, `{catalog-import}` by default).
 */
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";

/** A connection BullMQ accepts: one Redis server or a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

/** What a connection is for; each role fails differently when Redis is away. */
export type RedisRole = "worker" | "producer" | "probe";

/** Per-node options of each role (for a cluster, the options of each node's connection). */
const NODE_OPTIONS: Record<RedisRole, RedisOptions> = {
  // BullMQ requires it of workers: a blocked worker waits for Redis, however long.
  worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
  producer: {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  },
  // One try, for a start-up check: connect explicitly, fail at once.
  probe: {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  },
};

/** The cluster-wide options of each role, mirroring the per-node ones. */
const CLUSTER_OPTIONS: Record<RedisRole, ClusterOptions> = {
  worker: { enableReadyCheck: true },
  producer: {
    enableOfflineQueue: false,
    clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  },
  probe: { lazyConnect: true, clusterRetryStrategy: () => null },
};

const CLUSTER_SCHEMES: Record<string, "redis:" | "rediss:"> = {
  "redis+cluster:": "redis:",
  "rediss+cluster:": "rediss:",
};

/** True when `url` names a Redis Cluster (`redis+cluster://host:port`, `rediss+cluster://…`). */
export function isClusterUrl(url: string): boolean {
  return new URL(url).protocol in CLUSTER_SCHEMES;
}

/** A connection to the Redis (or Redis Cluster) of `url`, with the behaviour of `role`. */
export function createRedisConnection(url: string, role: RedisRole): RedisConnection {
  const parsed = new URL(url);
  const scheme = CLUSTER_SCHEMES[parsed.protocol];
  if (!scheme) return new Redis(url, NODE_OPTIONS[role]);
  return new Cluster([{ host: parsed.hostname, port: Number(parsed.port || 6379) }], {
    ...CLUSTER_OPTIONS[role],
    redisOptions: {
      ...NODE_OPTIONS[role],
      username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
      tls: scheme === "rediss:" ? {} : undefined,
    },
  });
}

/** A connection for BullMQ workers: retries forever, as BullMQ requires. */
export function createWorkerConnection(url: string): RedisConnection {
  return createRedisConnection(url, "worker");
}

/** A connection for producers and probes: a command fails after one retry when Redis is down. */
export function createProducerConnection(url: string): RedisConnection {
  return createRedisConnection(url, "producer");
}
