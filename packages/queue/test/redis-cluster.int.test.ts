/**
 * BullMQ on a Redis Cluster: a real 3-master cluster of this test's own (loopback
 * ports, no persistence; the shared Redis is not touched) carries an import through
 * validate and commit, from the API to two worker processes. The queue prefix's hash
 * tag keeps every queue key in one hash slot; without it BullMQ's multi-key scripts
 * are refused by the cluster.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commitJob, createImportApi, type Job, uploadImport, waitForJob } from "@catalog/client";
import { createProducerConnection, QUEUE_NAMES, queueJobId } from "@catalog/queue";
import {
  createTestDatabase,
  fixturePath,
  type RedisCluster,
  type RunningSystem,
  startRedisCluster,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";

jest.setTimeout(240_000);

describe("import queues on a Redis Cluster", () => {
  const logDir = mkdtempSync(join(tmpdir(), "redis-cluster-test-"));
  const prefix = `{cluster-${randomBytes(4).toString("hex")}}`;
  let cluster: RedisCluster;
  let database: TestDatabase;
  let system: RunningSystem;
  let nodes: Redis[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster(logDir);
    nodes = cluster.ports.map((port) => new Redis(port, "127.0.0.1"));
    database = await createTestDatabase();
    system = await startSystem({
      databaseUrl: database.url,
      db: database.db,
      redisUrl: cluster.url,
      queuePrefix: prefix,
      workers: 2,
    });
  });

  afterAll(async () => {
    await system?.stop({ keepLogs: false });
    for (const node of nodes) node.disconnect();
    await cluster?.stop();
    await database?.drop();
    rmSync(logDir, { recursive: true, force: true });
  });

  /** Every key under the prefix, by the port of the master holding it. */
  async function keysByNode(): Promise<Map<number, string[]>> {
    const found = new Map<number, string[]>();
    for (const [index, node] of nodes.entries()) {
      const keys = await node.keys(`${prefix}:*`);
      if (keys.length) found.set(cluster.ports[index] as number, keys);
    }
    return found;
  }

  it("runs on three masters that share the slots", async () => {
    for (const node of nodes) {
      const info = await node.cluster("INFO");
      expect(info).toMatch(/cluster_state:ok/);
      expect(info).toMatch(/cluster_known_nodes:3/);
      expect(info).toMatch(/cluster_size:3/);
    }
  });

  it("validates and commits an upload through the cluster with two worker processes", async () => {
    expect(new Set(system.workers.map((worker) => worker.pid)).size).toBe(2);
    const api = createImportApi({ baseUrl: system.apiUrl, token: await system.token("importer") });
    const { job } = await uploadImport(api, { path: fixturePath("01_base.xlsx"), mode: "smart" });
    const id = job.id;
    const settled = (statuses: string[]) => ({
      done: (current: Job) => [...statuses, "failed"].includes(current.status),
      intervalMs: 200,
    });
    expect((await waitForJob(api, id, settled(["validated"]))).status).toBe("validated");
    await commitJob(api, id);
    expect((await waitForJob(api, id, settled(["success"]))).status).toBe("success");
    const variants = await database.db
      .selectFrom("catalog_variant")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(variants.n)).toBe(27);

    // The work went through the cluster, every key of it on the one master that owns
    // the prefix's hash slot.
    const byNode = await keysByNode();
    expect(byNode.size).toBe(1);
    const [keys = []] = byNode.values();
    expect(keys).toContain(`${prefix}:${QUEUE_NAMES.validate}:${queueJobId("validate", id)}`);
    // The commit's job id may carry an attempt number (commit-<id>-<n>).
    const commitKey = `${prefix}:${QUEUE_NAMES.commit}:${queueJobId("commit", id)}`;
    expect(keys.some((key) => key === commitKey || key.startsWith(`${commitKey}-`))).toBe(true);
    const slots = new Set(
      await Promise.all(keys.map((key) => nodes[0]?.cluster("KEYSLOT", key) as Promise<number>)),
    );
    expect(slots.size).toBe(1);
  });

  it("has both worker processes consuming each import queue through the cluster", async () => {
    const connection = createProducerConnection(cluster.url);
    try {
      for (const name of [QUEUE_NAMES.validate, QUEUE_NAMES.commit]) {
        const queue = new Queue(name, { connection, prefix });
        expect(await queue.getWorkersCount()).toBe(2);
        await queue.close();
      }
    } finally {
      connection.disconnect();
    }
  });

  it("refuses BullMQ's scripts for a prefix without a hash tag (why the prefix has one)", async () => {
    const connection = createProducerConnection(cluster.url);
    const queue = new Queue(QUEUE_NAMES.validate, {
      connection,
      prefix: prefix.slice(1, -1),
    });
    try {
      await expect(queue.add("validate", { importId: "x" })).rejects.toThrow(/CROSSSLOT/);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it("left no process exiting unexpectedly", () => {
    expect(system.unexpectedExits()).toEqual([]);
    expect(cluster.processes.filter((node) => node.exitedUnexpectedly())).toEqual([]);
  });
});
