import { closeImportQueues, createImportQueues, type ImportQueues } from "@catalog/jobs";
import { createMetrics } from "@catalog/observability";
import { createProducerConnection, QUEUE_NAMES } from "@catalog/queue";
import { testRedisUrl, uniqueQueuePrefix } from "@catalog/testing";
import { refreshQueueMetrics } from "../src/queue-metrics";

describe("queue metrics", () => {
  const producer = createProducerConnection(testRedisUrl());
  let queues: ImportQueues;
  beforeAll(() => {
    queues = createImportQueues(producer, uniqueQueuePrefix());
  });
  afterAll(async () => {
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
    await closeImportQueues(queues);
    producer.disconnect();
  });

  it("reports each queue's depth by state and the age of its oldest waiting job", async () => {
    const metrics = createMetrics({ queues: Object.values(QUEUE_NAMES) });
    const first = await queues.validate.add("validate", { importId: crypto.randomUUID() });
    await new Promise((done) => setTimeout(done, 20));
    await queues.validate.add("validate", { importId: crypto.randomUUID() });
    await queues.validate.add("validate", { importId: crypto.randomUUID() });
    await queues.commit.add("commit", { importId: crypto.randomUUID() }, { delay: 60_000 });

    const now = first.timestamp + 90_000;
    await refreshQueueMetrics(queues, metrics, () => now);

    const depth = Object.fromEntries(
      (await metrics.queueJobs.get()).values.map((v) => [
        `${v.labels.queue}/${v.labels.state}`,
        v.value,
      ]),
    );
    expect(depth).toMatchObject({
      "import-validate/waiting": 3,
      "import-validate/active": 0,
      "import-commit/waiting": 0,
      "import-commit/delayed": 1,
      "import-revert/waiting": 0,
    });
    const oldest = Object.fromEntries(
      (await metrics.queueOldestWaiting.get()).values.map((v) => [v.labels.queue, v.value]),
    );
    // The oldest of the three, not the newest; a delayed job is not waiting.
    expect(oldest).toEqual({
      "import-validate": 90,
      "import-commit": 0,
      "import-revert": 0,
      "import-report": 0,
    });
  });
});
