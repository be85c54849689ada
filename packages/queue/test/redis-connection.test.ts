import { Cluster, Redis } from "ioredis";
import { createRedisConnection, isClusterUrl, type RedisConnection } from "../src/redis-connection";

/** The nodes a Cluster client starts from (a private field of ioredis's Cluster). */
const seeds = (connection: RedisConnection) =>
  (connection as unknown as { startupNodes: unknown }).startupNodes;

describe("createRedisConnection", () => {
  it("connects to one server for redis:// and rediss:// URLs", () => {
    expect(isClusterUrl("redis://127.0.0.1:6379")).toBe(false);
    expect(isClusterUrl("rediss://cache.example:6380")).toBe(false);
    const connection = createRedisConnection("redis://127.0.0.1:6379/2", "probe");
    try {
      expect(connection).toBeInstanceOf(Redis);
      expect((connection as Redis).options).toMatchObject({ port: 6379, db: 2, lazyConnect: true });
    } finally {
      connection.disconnect();
    }
  });

  it("makes a Cluster client for redis+cluster://, with the role's options on every node", () => {
    expect(isClusterUrl("redis+cluster://127.0.0.1:7000")).toBe(true);
    const worker = createRedisConnection("redis+cluster://app:s%40cret@10.0.0.5:7001", "worker");
    const producer = createRedisConnection("rediss+cluster://10.0.0.5", "producer");
    try {
      expect(worker).toBeInstanceOf(Cluster);
      const options = (worker as Cluster).options;
      // BullMQ checks a cluster's redisOptions for a blocking worker.
      expect(options.redisOptions).toMatchObject({
        maxRetriesPerRequest: null,
        username: "app",
        password: "s@cret",
      });
      expect(options.redisOptions?.tls).toBeUndefined();
      expect(seeds(worker)).toEqual([{ host: "10.0.0.5", port: 7001 }]);
      const producerOptions = (producer as Cluster).options;
      expect(producerOptions.enableOfflineQueue).toBe(false);
      expect(producerOptions.redisOptions).toMatchObject({ maxRetriesPerRequest: 1, tls: {} });
      expect(seeds(producer)).toEqual([{ host: "10.0.0.5", port: 6379 }]);
    } finally {
      worker.disconnect();
      producer.disconnect();
    }
  });
});
