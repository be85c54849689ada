/**
 * A stranded commit: the commit's queue work failed (every retry, through
 * BullMQ) before it could claim the job, so the job is `validated` with a commit
 * requested, a failed queue job under the request's id, and no work that will
 * ever run. The reaper renews the request and re-enqueues it, and the commit
 * then completes, through BullMQ again.
 */
import {
  closeImportQueues,
  createImportQueues,
  findImportJob,
  type ImportQueues,
  requestCommit,
} from "@catalog/jobs";
import { createProducerConnection, createWorkerConnection, queueJobId } from "@catalog/queue";
import { testRedisUrl, uniqueQueuePrefix } from "@catalog/testing";
import type { Worker } from "bullmq";
import { createDb } from "@catalog/db";
import { sql } from "kysely";
import { commitImport } from "../src/handlers/commit-import";
import { reapJobs } from "../src/handlers/reap-jobs";
import { startImportWorkers } from "../src/import-workers";
import { csv, validated } from "./support/commit-helpers";
import { until } from "./support/until";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

describe("a stranded commit", () => {
  let harness: WorkerHarness;
  let queues: ImportQueues;
  const prefix = uniqueQueuePrefix();
  const producer = createProducerConnection(testRedisUrl());
  const consumer = createWorkerConnection(testRedisUrl());
  let workers: Worker[] = [];

  beforeAll(async () => {
    harness = await createWorkerHarness();
    queues = createImportQueues(producer, prefix);
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
    await closeImportQueues(queues);
    producer.disconnect();
    consumer.disconnect();
    await harness.close();
  });

  it("is re-enqueued under a new attempt by the reaper and completes", async () => {
    const db = harness.deps.db;
    const job = await validated(
      harness,
      csv([
        ["category", "title_en", "model_code"],
        ["Ocaklar", "Stranded Product", "STRANDED-1"],
      ]),
      "stranded.csv",
      "smart",
    );
    const request = await requestCommit(db, job.id, false);
    expect(request?.commit_attempts).toBe(1);

    // A worker that cannot reach Postgres: every attempt fails before claiming the job.
    const unreachable = createDb({ url: "postgres://postgres@127.0.0.1:1/none", poolSize: 1 });
    workers = startImportWorkers(
      { commit: commitImport },
      { ...harness.deps, db: unreachable },
      { connection: consumer, prefix, concurrency: { commit: 1 } },
    );
    const firstId = queueJobId("commit", job.id, 1);
    await queues.commit.add(
      "commit",
      { importId: job.id },
      { jobId: firstId, attempts: 2, backoff: { type: "fixed", delay: 100 } },
    );
    await until("the queue to give up on the commit", async () => {
      const queued = await queues.commit.getJob(firstId);
      return (await queued?.getState()) === "failed";
    });
    await Promise.all(workers.map((worker) => worker.close()));
    await unreachable.destroy();
    expect((await queues.commit.getJob(firstId))?.attemptsMade).toBe(2);
    expect(await findImportJob(db, job.id)).toMatchObject({
      status: "validated",
      commit_attempts: 1,
      commit_requested_at: expect.any(Date),
    });

    // Stranded: the reaper finds it once it has waited past the lost-work delay.
    await sql`UPDATE ops_importjob SET updated_at = now() - interval '5 minutes',
      commit_requested_at = now() - interval '5 minutes' WHERE id = ${job.id}`.execute(db);
    const reaped = await reapJobs(harness.deps, queues, 1_800);
    expect(reaped.requeued).toEqual([job.id]);
    expect(await findImportJob(db, job.id)).toMatchObject({
      status: "validated",
      commit_attempts: 2,
    });
    expect(await (await queues.commit.getJob(queueJobId("commit", job.id, 2)))?.getState()).toBe(
      "waiting",
    );
    // A second run finds the renewed work queued and leaves it alone.
    expect((await reapJobs(harness.deps, queues, 1_800)).requeued).toEqual([]);

    // A healthy worker takes the renewed work from the queue and commits it.
    workers = startImportWorkers({ commit: commitImport }, harness.deps, {
      connection: consumer,
      prefix,
      concurrency: { commit: 1 },
    });
    await until("the commit to finish", async () => {
      const current = await findImportJob(db, job.id);
      return current?.status === "success" && current.db_verify !== null;
    });
    expect(await findImportJob(db, job.id)).toMatchObject({
      status: "success",
      result: { variants: { create: 1 } },
    });
  });
});
