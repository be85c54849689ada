/** The reaper forgets Idempotency-Keys past their expiry, and only those. */
import {
  closeImportQueues,
  createImportQueues,
  type ImportQueues,
  recordIdempotencyKey,
} from "@catalog/jobs";
import { createProducerConnection } from "@catalog/queue";
import { testRedisUrl, uniqueQueuePrefix } from "@catalog/testing";
import { sql } from "kysely";
import { reapJobs } from "../src/handlers/reap-jobs";
import { csv } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

describe("the reaper and Idempotency-Keys", () => {
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

  it("deletes the expired keys and keeps the live ones", async () => {
    const { db } = harness.deps;
    const job = await harness.submit(
      csv([
        ["category", "title_en", "model_code"],
        ["Ocaklar", "Range", "R-1"],
      ]),
      "keys.csv",
      "strict",
    );
    const record = (key: string) =>
      recordIdempotencyKey(db, {
        createdBy: "importer@example.com",
        key,
        fingerprint: "f".repeat(64),
        jobId: job.id,
        ttlHours: 24,
      });
    await record("live");
    await record("expired");
    await sql`UPDATE ops_idempotency_key SET expires_at = now() - interval '1 second'
      WHERE key = 'expired'`.execute(db);

    await reapJobs(harness.deps, queues, 1_800);
    const left = await db.selectFrom("ops_idempotency_key").select("key").execute();
    expect(left.map((row) => row.key)).toEqual(["live"]);
  });
});
