/**
 * The whole system for a benchmark, as real processes (the process harness of
 * @catalog/testing: embedded S3 in its own process, a redis-server of its own, the
 * API and worker processes), on a database of the benchmark's own that is dropped at
 * the end. Imports go through the API over HTTP (its typed client, @catalog/client);
 * job statuses are read from Postgres by one poller for every job watched, so that
 * watching many jobs puts no load on the API being measured.
 */
import { randomBytes } from "node:crypto";
import { createImportApi, type ImportApi, uploadImport } from "@catalog/client";
import { createDb, type Database, ensureDatabase, migrateToLatest } from "@catalog/db";
import { closeImportQueues, createImportQueues, type ImportQueues } from "@catalog/jobs";
import { createWorkerConnection, type RedisConnection } from "@catalog/queue";
import { type RunningSystem, startSystem } from "@catalog/testing";
import type { Kysely } from "kysely";
import pg from "pg";

const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A running system and what a benchmark drives it with. */
export interface BenchSystem {
  system: RunningSystem;
  db: Kysely<Database>;
  /** A plain client on the same database, for the raw floor and for emptying the catalog. */
  client: pg.Client;
  /** The API's typed client, authenticated as an importer. */
  api: ImportApi;
  watcher: JobWatcher;
  /** The worker processes' pids (as many as run now). */
  workerPids(): number[];
  /** Resolves once no import queue has work waiting or running (reports included). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the system with `workers` worker processes and `env` for every process. */
export async function startBenchSystem(options: {
  workers: number;
  env: NodeJS.ProcessEnv;
}): Promise<BenchSystem> {
  const name = `bench_scale_${randomBytes(4).toString("hex")}`;
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  const db = createDb({ url: url.toString(), poolSize: 4, applicationName: "bench" });
  await migrateToLatest(db);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const system = await startSystem({
    databaseUrl: url.toString(),
    db,
    workers: options.workers,
    env: options.env,
  });
  // Waits through a hiccup rather than failing: this connection only watches the queues.
  const redis: RedisConnection = createWorkerConnection(system.env.REDIS_URL as string);
  redis.on("error", () => undefined);
  const queues: ImportQueues = createImportQueues(redis, system.env.QUEUE_PREFIX as string);
  for (const queue of Object.values(queues)) queue.on("error", () => undefined);
  const watcher = new JobWatcher(db);
  const token = await system.token("importer");
  return {
    system,
    db,
    client,
    api: createImportApi({ baseUrl: system.apiUrl, token }),
    watcher,
    workerPids: () => system.workers.map((worker) => worker.pid),
    idle: async () => {
      for (;;) {
        const counts = await Promise.all(
          [queues.validate, queues.commit, queues.report].map((queue) =>
            queue.getJobCounts("waiting", "active", "delayed", "prioritized"),
          ),
        );
        if (counts.every((count) => Object.values(count).every((n) => n === 0))) return;
        await sleep(50);
      }
    },
    close: async () => {
      watcher.stop();
      await closeImportQueues(queues);
      redis.disconnect();
      await system.stop();
      await client.end();
      await db.destroy();
      const admin = new pg.Client({ connectionString: SERVER_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Uploads `file` for validation in `mode` through the API; the new job's id. */
export async function upload(
  bench: BenchSystem,
  file: string,
  mode: "strict" | "smart",
): Promise<string> {
  const { job, created } = await uploadImport(bench.api, { path: file, mode });
  // An earlier job for the same bytes would be answered instead: not a new import.
  if (!created) throw new Error(`Upload of ${file} answered the earlier job ${job.id}`);
  return job.id;
}

interface Waiter {
  statuses: string[];
  resolve(): void;
  reject(error: Error): void;
}

/** Waits for jobs to reach a status, with one query for every job watched, every 20 ms. */
export class JobWatcher {
  private readonly waiters = new Map<string, Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly db: Kysely<Database>) {}

  /** Resolves when job `id` is in one of `statuses`; rejects when it fails instead. */
  until(id: string, statuses: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.set(id, { statuses, resolve, reject });
      this.timer ??= setInterval(() => void this.poll(), 20);
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.waiters.size === 0) return;
    this.polling = true;
    try {
      const jobs = await this.db
        .selectFrom("ops_importjob")
        .select(["id", "status", "failure_code", "failure_message"])
        .where("id", "in", [...this.waiters.keys()])
        .execute();
      for (const job of jobs) {
        const waiter = this.waiters.get(job.id);
        if (!waiter) continue;
        if (waiter.statuses.includes(job.status)) {
          this.waiters.delete(job.id);
          waiter.resolve();
        } else if (["failed", "cancelled", "partial"].includes(job.status)) {
          this.waiters.delete(job.id);
          waiter.reject(
            new Error(
              `Job ${job.id} ended ${job.status}: ${job.failure_code} ${job.failure_message}`,
            ),
          );
        }
      }
    } finally {
      this.polling = false;
    }
  }
}
