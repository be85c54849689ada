/**
 * The retry policy and the heartbeat, through real BullMQ workers (BullMQ's own
 * redelivery, not a direct handler call) against the real Postgres, Redis and
 * S3 server, with S3 made unreachable or unresponsive by a TCP proxy:
 * - work that can never succeed (a malformed snapshot) is attempted once and
 *   fails with its own code, not retryable;
 * - an outage that outlasts the retries fails the job with STORAGE_UNAVAILABLE,
 *   retryable, after exactly the policy's attempts;
 * - an outage shorter than the retries: the job waits in `pending`, saying why,
 *   and ends `validated`;
 * - a job whose worker is stuck waiting on S3 keeps its heartbeat and is not
 *   reaped; without the heartbeat the same job is.
 */
import { createHash } from "node:crypto";
import type { ImportJob, JobStatus } from "@catalog/db";
import {
  closeImportQueues,
  createImportQueues,
  enqueueImportWork,
  findImportJob,
  type ImportQueues,
  type RetryPolicy,
  requestCommit,
} from "@catalog/jobs";
import { createProducerConnection, createWorkerConnection, queueJobId } from "@catalog/queue";
import { createS3Client, type ObjectStore, putObject } from "@catalog/storage";
import {
  catalogRowsChecksum,
  startTcpProxy,
  type TcpProxy,
  testRedisUrl,
  uniqueQueuePrefix,
} from "@catalog/testing";
import type { Worker } from "bullmq";
import { sql } from "kysely";
import { commitImport } from "../src/handlers/commit-import";
import { reapJobs } from "../src/handlers/reap-jobs";
import { validateImport } from "../src/handlers/validate-import";
import { type ImportHandler, startImportWorkers } from "../src/import-workers";
import type { WorkerDependencies } from "../src/worker-dependencies";
import { csv, validated } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

/** Quick retries, so a test waits seconds; attempts enough that only the error class decides. */
const FAST: RetryPolicy = { attempts: 5, unexpectedAttempts: 3, baseDelayMs: 100, maxDelayMs: 400 };

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe("retries and heartbeats through a real queue worker", () => {
  let harness: WorkerHarness;
  let queues: ImportQueues;
  let proxy: TcpProxy;
  /** The test's bucket, reached through the proxy. */
  let proxied: ObjectStore;
  const prefix = uniqueQueuePrefix();
  const producer = createProducerConnection(testRedisUrl());
  const consumer = createWorkerConnection(testRedisUrl());
  let workers: Worker[] = [];
  let seq = 0;

  beforeAll(async () => {
    harness = await createWorkerHarness();
    queues = createImportQueues(producer, prefix);
    const settings = (harness.deps.store as ObjectStore & { settings?: { endpoint?: string } })
      .settings;
    const endpoint = new URL(settings?.endpoint ?? "");
    proxy = await startTcpProxy({ host: endpoint.hostname, port: Number(endpoint.port) });
    proxied = {
      client: createS3Client({
        endpoint: `http://127.0.0.1:${proxy.port}`,
        region: "us-east-1",
        bucket: harness.deps.store.bucket,
        accessKeyId: "S3RVER",
        secretAccessKey: "S3RVER",
        socketTimeoutMs: 10_000,
        maxAttempts: 1,
      }),
      bucket: harness.deps.store.bucket,
    };
  });
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.close(true)));
    workers = [];
    proxy.thaw();
  });
  afterAll(async () => {
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
    await closeImportQueues(queues);
    producer.disconnect();
    consumer.disconnect();
    proxied.client.destroy();
    await proxy.close();
    await harness.close();
  });

  const file = () =>
    csv([
      ["category", "title_en", "model_code"],
      ["Ocaklar", `Range ${++seq}`, `R-${seq}`],
    ]);

  /** Starts the workers; `calls` counts the handler's invocations. */
  function run(
    kind: "validate" | "commit",
    handler: ImportHandler,
    deps: WorkerDependencies,
    options: { retry?: RetryPolicy; heartbeatMs?: number } = {},
  ): { calls: () => number } {
    let calls = 0;
    const counted: ImportHandler = (id, d) => {
      calls += 1;
      return handler(id, d);
    };
    workers = startImportWorkers({ [kind]: counted }, deps, {
      connection: consumer,
      prefix,
      concurrency: { [kind]: 1 },
      retry: options.retry ?? FAST,
      heartbeatMs: options.heartbeatMs,
    });
    return { calls: () => calls };
  }

  async function waitFor(
    id: string,
    done: (job: ImportJob) => boolean,
    timeoutMs = 30_000,
  ): Promise<ImportJob> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await findImportJob(harness.deps.db, id);
      if (job && done(job)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} is still ${job?.status}`);
      await sleep(50);
    }
  }
  const ended = (statuses: JobStatus[]) => (job: ImportJob) => statuses.includes(job.status);

  it("attempts a commit of a malformed snapshot once and fails it SNAPSHOT_INVALID, not retryable", async () => {
    const job = await validated(harness, file(), "malformed.csv", "smart");
    // Valid JSON whose hash is the recorded one, but not a snapshot.
    const bytes = Buffer.from(JSON.stringify({ format_version: 999, plan: "none" }));
    await putObject(harness.deps.store, job.snapshot_key ?? "", bytes, "application/json");
    await sql`UPDATE ops_importjob SET snapshot_hash = ${createHash("sha256").update(bytes).digest("hex")}
      WHERE id = ${job.id}`.execute(harness.deps.db);
    const taken = await requestCommit(harness.deps.db, job.id, false);
    const catalogBefore = await catalogRowsChecksum(harness.deps.db);

    const { calls } = run("commit", commitImport, harness.deps);
    await enqueueImportWork(queues, "commit", job.id, taken?.commit_attempts);
    const failed = await waitFor(job.id, ended(["failed", "success", "partial"]));

    expect(failed).toMatchObject({
      status: "failed",
      failure_code: "SNAPSHOT_INVALID",
      retryable: false,
    });
    // Longer than any retry delay of the policy: no second attempt comes.
    await sleep(4 * FAST.maxDelayMs);
    expect(calls()).toBe(1);
    const queued = await queues.commit.getJob(queueJobId("commit", job.id, taken?.commit_attempts));
    expect(await queued?.getState()).toBe("failed");
    expect(queued?.attemptsMade).toBe(1);
    expect(await catalogRowsChecksum(harness.deps.db)).toEqual(catalogBefore);
    expect(await requestCommit(harness.deps.db, job.id, false)).toBeUndefined();
  });

  it("fails a commit STORAGE_UNAVAILABLE, retryable, once S3 stayed down through every attempt", async () => {
    const job = await validated(harness, file(), "outage.csv", "smart");
    const taken = await requestCommit(harness.deps.db, job.id, false);
    await proxy.close();
    try {
      const policy = { ...FAST, attempts: 3 };
      const { calls } = run(
        "commit",
        commitImport,
        { ...harness.deps, store: proxied },
        { retry: policy },
      );
      await enqueueImportWork(queues, "commit", job.id, taken?.commit_attempts);
      const failed = await waitFor(job.id, ended(["failed", "success", "partial"]));

      expect(failed).toMatchObject({
        status: "failed",
        failure_code: "STORAGE_UNAVAILABLE",
        retryable: true,
        failure_details: { attempts: 3 },
      });
      expect(calls()).toBe(3);
      const queued = await queues.commit.getJob(
        queueJobId("commit", job.id, taken?.commit_attempts),
      );
      expect(queued?.attemptsMade).toBe(3);
    } finally {
      await proxy.reopen();
    }
    // Retryable: a new request is accepted, and with S3 back the commit goes through.
    const again = await requestCommit(harness.deps.db, job.id, false);
    expect(again?.commit_attempts).toBe((taken?.commit_attempts ?? 0) + 1);
    await enqueueImportWork(queues, "commit", job.id, again?.commit_attempts);
    expect(
      await waitFor(job.id, (j) => j.status !== "failed" && ended(["success", "partial"])(j)),
    ).toMatchObject({ status: "success", failure_code: null });
  });

  it("keeps a validation waiting in pending while S3 is down, and validates it once S3 is back", async () => {
    const job = await harness.submit(file(), "comeback.csv", "strict");
    await proxy.close();
    let reopened = false;
    try {
      const policy = { ...FAST, attempts: 20, baseDelayMs: 200, maxDelayMs: 500 };
      const { calls } = run(
        "validate",
        validateImport,
        { ...harness.deps, store: proxied },
        {
          retry: policy,
        },
      );
      await enqueueImportWork(queues, "validate", job.id);
      const waiting = await waitFor(
        job.id,
        (j) => j.status === "pending" && j.progress?.retry !== undefined,
      );
      expect(waiting.progress?.retry).toMatchObject({ code: "STORAGE_UNAVAILABLE", attempt: 1 });
      await sleep(1_500);
      await proxy.reopen();
      reopened = true;
      const done = await waitFor(job.id, ended(["validated", "failed"]));
      expect(done.status).toBe("validated");
      expect(calls()).toBeGreaterThan(1);
    } finally {
      if (!reopened) await proxy.reopen();
    }
  });

  /** Runs the reaper every 300 ms for `ms` and returns every job it failed. */
  async function reapFor(ms: number, stuckAfterS: number): Promise<string[]> {
    const failed: string[] = [];
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const result = await reapJobs(harness.deps, queues, stuckAfterS, { lostAfterS: 3_600 });
      failed.push(...result.failed);
      await sleep(300);
    }
    return failed;
  }

  it("never reaps a validation whose worker waits on a frozen S3 but keeps its heartbeat", async () => {
    const job = await harness.submit(file(), "frozen.csv", "strict");
    proxy.freeze();
    run("validate", validateImport, { ...harness.deps, store: proxied }, { heartbeatMs: 250 });
    await enqueueImportWork(queues, "validate", job.id);
    const started = await waitFor(job.id, (j) => j.status === "validating");

    // Four times longer than the stuck threshold, with the reaper running all along.
    const reaped = await reapFor(4_000, 1);
    const during = await findImportJob(harness.deps.db, job.id);
    expect(reaped).not.toContain(job.id);
    expect(during?.status).toBe("validating");
    expect(during?.heartbeat_at?.getTime()).toBeGreaterThan(
      (started.heartbeat_at?.getTime() ?? 0) + 2_000,
    );

    proxy.thaw();
    expect((await waitFor(job.id, ended(["validated", "failed"]))).status).toBe("validated");
  });

  it("reaps the same stuck-looking validation when its worker sends no heartbeat (the control)", async () => {
    const job = await harness.submit(file(), "silent.csv", "strict");
    proxy.freeze();
    run("validate", validateImport, { ...harness.deps, store: proxied }, { heartbeatMs: 600_000 });
    await enqueueImportWork(queues, "validate", job.id);
    await waitFor(job.id, (j) => j.status === "validating");

    const reaped = await reapFor(4_000, 1);
    expect(reaped).toContain(job.id);
    expect(await findImportJob(harness.deps.db, job.id)).toMatchObject({
      status: "failed",
      failure_code: "STUCK_JOB_REAPED",
    });
  });
});
