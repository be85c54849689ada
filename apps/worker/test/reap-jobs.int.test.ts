import {
  closeImportQueues,
  createImportQueues,
  findImportJob,
  type ImportQueues,
} from "@catalog/jobs";
import { createProducerConnection, queueJobId } from "@catalog/queue";
import { testRedisUrl, uniqueQueuePrefix } from "@catalog/testing";
import { sql } from "kysely";
import { reapJobs } from "../src/handlers/reap-jobs";
import { csv } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

describe("the reaper", () => {
  let harness: WorkerHarness;
  let queues: ImportQueues;
  const producer = createProducerConnection(testRedisUrl());

  beforeAll(async () => {
    harness = await createWorkerHarness();
    queues = createImportQueues(producer, uniqueQueuePrefix());
  });
  afterAll(async () => {
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
    await closeImportQueues(queues);
    producer.disconnect();
    await harness.close();
  });

  const file = csv([
    ["category", "title_en", "model_code"],
    ["Ocaklar", "Range", "R-1"],
  ]);
  const age = (id: string, seconds: number) =>
    sql`UPDATE ops_importjob SET updated_at = now() - make_interval(secs => ${seconds}),
      heartbeat_at = now() - make_interval(secs => ${seconds}) WHERE id = ${id}`.execute(
      harness.deps.db,
    );

  it("fails stuck jobs (a stuck commit stays retryable), re-enqueues lost work, and counts what it did", async () => {
    const stuckCommit = await harness.submit(file, "stuck.csv", "strict");
    await sql`UPDATE ops_importjob SET status = 'running' WHERE id = ${stuckCommit.id}`.execute(
      harness.deps.db,
    );
    await age(stuckCommit.id, 3_600);
    const lost = await harness.submit(file, "lost.csv", "strict");
    await age(lost.id, 120);
    const queued = await harness.submit(file, "queued.csv", "strict");
    await age(queued.id, 120);
    await queues.validate.add(
      "validate",
      { importId: queued.id },
      { jobId: queueJobId("validate", queued.id) },
    );
    const fresh = await harness.submit(file, "fresh.csv", "strict");

    const result = await reapJobs(harness.deps, queues, 1_800);
    expect(result).toEqual({
      failed: [stuckCommit.id],
      requeued: [lost.id],
      completed: [],
      reports: [],
    });
    expect(await findImportJob(harness.deps.db, stuckCommit.id)).toMatchObject({
      status: "failed",
      failure_code: "STUCK_JOB_REAPED",
      retryable: true,
    });
    expect(await queues.validate.getJob(queueJobId("validate", lost.id))).toBeDefined();
    expect((await queues.validate.getJobCounts("waiting")).waiting).toBe(2);
    expect((await findImportJob(harness.deps.db, fresh.id))?.status).toBe("pending");

    // The reaped commit counts as a failed commit for the success rate.
    const outcomes = await harness.deps.metrics.jobsTotal.get();
    expect(outcomes.values.filter((v) => v.value > 0)).toEqual([
      { labels: { phase: "commit", outcome: "failed", mode: "strict" }, value: 1 },
    ]);
    const reaped = await harness.deps.metrics.jobsReaped.get();
    expect(reaped.values.map((v) => [v.labels.action, v.value]).sort()).toEqual([
      ["failed", 1],
      ["post_commit", 0],
      ["requeued", 1],
    ]);
  });
});
