/**
 * Work that only waits for a worker is never failed for its age: a `pending`
 * job, or a `validated` one with a commit requested, older than STUCK_AFTER_S
 * and with no queue job (Redis forgot it, or the queue job finished without
 * moving the job on) is re-enqueued by the reaper: a validation under the same
 * queue job id, a commit under a renewed attempt.
 */
import {
  closeImportQueues,
  createImportQueues,
  findImportJob,
  type ImportQueues,
  requestCommit,
} from "@catalog/jobs";
import {
  createProducerConnection,
  createWorkerConnection,
  QUEUE_NAMES,
  queueJobId,
} from "@catalog/queue";
import { testRedisUrl, uniqueQueuePrefix } from "@catalog/testing";
import { UnrecoverableError, Worker } from "bullmq";
import { sql } from "kysely";
import { reapJobs } from "../src/handlers/reap-jobs";
import { csv, validated } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

const STUCK_AFTER_S = 1_800;

describe("lost queue work", () => {
  let harness: WorkerHarness;
  let queues: ImportQueues;
  const producer = createProducerConnection(testRedisUrl());
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    harness = await createWorkerHarness();
    queues = createImportQueues(producer, prefix);
  });
  afterAll(async () => {
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
    await closeImportQueues(queues);
    producer.disconnect();
    await harness.close();
  });

  let seq = 0;
  const file = () =>
    csv([
      ["category", "title_en", "model_code"],
      ["Ocaklar", `Range ${++seq}`, `R-${seq}`],
    ]);
  /** Makes the job look untouched for `seconds` (no update, no heartbeat). */
  const age = (id: string, seconds: number) =>
    sql`UPDATE ops_importjob SET updated_at = now() - make_interval(secs => ${seconds}),
      heartbeat_at = NULL WHERE id = ${id}`.execute(harness.deps.db);
  const reap = () => reapJobs(harness.deps, queues, STUCK_AFTER_S, { lostAfterS: 60 });

  it("re-enqueues a pending job older than STUCK_AFTER_S with no queue job, and does not fail it", async () => {
    const lost = await harness.submit(file(), "lost.csv", "smart");
    await age(lost.id, 2 * STUCK_AFTER_S);
    expect(await queues.validate.getJob(queueJobId("validate", lost.id))).toBeUndefined();

    const result = await reap();

    expect(result.failed).not.toContain(lost.id);
    expect(result.requeued).toContain(lost.id);
    expect((await findImportJob(harness.deps.db, lost.id))?.status).toBe("pending");
    const queued = await queues.validate.getJob(queueJobId("validate", lost.id));
    expect(await queued?.getState()).toBe("waiting");
    // Once it is queued again, the next run leaves it be (one queue job, not two).
    expect((await reap()).requeued).not.toContain(lost.id);
  });

  it("re-enqueues a requested commit older than STUCK_AFTER_S, under a renewed attempt", async () => {
    const job = await validated(harness, file(), "commit-lost.csv", "smart");
    const taken = await requestCommit(harness.deps.db, job.id, false);
    await age(job.id, 2 * STUCK_AFTER_S);
    await sql`UPDATE ops_importjob SET commit_requested_at = updated_at WHERE id = ${job.id}`.execute(
      harness.deps.db,
    );

    const result = await reap();

    expect(result.requeued).toContain(job.id);
    expect(result.failed).not.toContain(job.id);
    expect(await findImportJob(harness.deps.db, job.id)).toMatchObject({ status: "validated" });
    const attempt = (taken?.commit_attempts ?? 0) + 1;
    expect((await findImportJob(harness.deps.db, job.id))?.commit_attempts).toBe(attempt);
    const queued = await queues.commit.getJob(queueJobId("commit", job.id, attempt));
    expect(await queued?.getState()).toBe("waiting");
  });

  it("re-enqueues a pending job whose queue job ended (failed) without moving it on", async () => {
    const stranded = await harness.submit(file(), "stranded.csv", "smart");
    const id = queueJobId("validate", stranded.id);
    // What a queue job whose last attempt failed before it could take the job leaves behind.
    const connection = createWorkerConnection(testRedisUrl());
    const failing = new Worker(
      QUEUE_NAMES.validate,
      async () => {
        throw new UnrecoverableError("Postgres was down");
      },
      { connection, prefix },
    );
    const failed = new Promise((done) => failing.once("failed", done));
    await queues.validate.add("validate", { importId: stranded.id }, { jobId: id });
    await failed;
    await failing.close();
    connection.disconnect();
    expect(await (await queues.validate.getJob(id))?.getState()).toBe("failed");
    await age(stranded.id, 120);

    expect((await reap()).requeued).toContain(stranded.id);
    expect(await (await queues.validate.getJob(id))?.getState()).toBe("waiting");
  });

  it("leaves a pending job alone while its queue job is still waiting, however old", async () => {
    const waiting = await harness.submit(file(), "waiting.csv", "smart");
    await queues.validate.add(
      "validate",
      { importId: waiting.id },
      { jobId: queueJobId("validate", waiting.id), delay: 60_000 },
    );
    await age(waiting.id, 2 * STUCK_AFTER_S);

    const result = await reap();

    expect(result.requeued).not.toContain(waiting.id);
    expect(result.failed).not.toContain(waiting.id);
    expect((await findImportJob(harness.deps.db, waiting.id))?.status).toBe("pending");
  });
});
