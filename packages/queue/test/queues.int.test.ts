import { randomUUID } from "node:crypto";
import {
  createProducerConnection,
  createWorkerConnection,
  importJobPayload,
  QUEUE_NAMES,
  queueJobId,
} from "@catalog/queue";
import { testRedisUrl, uniqueQueuePrefix } from "@catalog/testing";
import { Queue, Worker } from "bullmq";

describe("import queues on the real Redis", () => {
  const prefix = uniqueQueuePrefix();
  const producer = createProducerConnection(testRedisUrl());
  const consumer = createWorkerConnection(testRedisUrl());
  const queue = new Queue(QUEUE_NAMES.validate, { connection: producer, prefix });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    producer.disconnect();
    consumer.disconnect();
  });

  it("derives one BullMQ-valid job id per (kind, import), so a second enqueue is a no-op", async () => {
    const importId = randomUUID();
    expect(queueJobId("validate", importId)).toBe(`validate-${importId}`);
    const first = await queue.add(
      "validate",
      { importId },
      { jobId: queueJobId("validate", importId) },
    );
    const second = await queue.add(
      "validate",
      { importId },
      { jobId: queueJobId("validate", importId) },
    );
    expect(second.id).toBe(first.id);
    expect((await queue.getJobCounts("waiting")).waiting).toBe(1);

    const seen: string[] = [];
    const worker = new Worker(
      QUEUE_NAMES.validate,
      async (job) => {
        seen.push(importJobPayload.parse(job.data).importId);
      },
      { connection: consumer, prefix },
    );
    await new Promise<void>((done) => worker.once("completed", () => done()));
    await worker.close();
    expect(seen).toEqual([importId]);
  });

  it("keeps test files apart by key prefix", async () => {
    const keys = await producer.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith(`${prefix}:${QUEUE_NAMES.validate}:`))).toBe(true);
  });

  it("rejects a payload that is not an import id", () => {
    expect(() => importJobPayload.parse({ importId: "../etc/passwd" })).toThrow();
  });
});
