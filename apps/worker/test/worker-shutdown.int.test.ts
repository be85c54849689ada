import { findImportJob } from "@catalog/jobs";
import { createProducerConnection, QUEUE_NAMES, queueJobId } from "@catalog/queue";
import { testRedisUrl, uniqueQueuePrefix } from "@catalog/testing";
import { Queue } from "bullmq";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";
import { spawnWorkerProcess } from "./support/worker-process";

/** A CSV of `rows` valid rows: big enough that validating it takes a while. */
function bigCsv(rows: number): Buffer {
  const lines = [
    "category,series,brand,title_tr,title_en,model_code,dimensions,price,spec:Güç (kW)",
  ];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `Ocaklar,Seri ${i % 7},Marka ${i % 5},Ocak ${i >> 1},Range ${i >> 1},MC-${i},600x700 mm,${(i % 900) + 100}.50,${i % 30}`,
    );
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

describe("worker process shutdown", () => {
  let harness: WorkerHarness;
  const prefix = uniqueQueuePrefix();
  const producer = createProducerConnection(testRedisUrl());
  const queue = new Queue(QUEUE_NAMES.validate, { connection: producer, prefix });

  beforeAll(async () => {
    harness = await createWorkerHarness();
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    producer.disconnect();
    await harness.close();
  });

  it("on SIGTERM mid-job finishes the job, then exits 0; nothing is lost", async () => {
    const job = await harness.submit(bigCsv(10_000), "big.csv", "smart");
    const worker = spawnWorkerProcess(harness, prefix, { LOG_LEVEL: "warn" }, [
      "ignore",
      "ignore",
      "pipe",
    ]);
    let stderr = "";
    worker.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((done) => worker.once("exit", (code) => done(code)));

    await queue.add("validate", { importId: job.id }, { jobId: queueJobId("validate", job.id) });
    for (let i = 0; i < 300; i++) {
      const current = await findImportJob(harness.deps.db, job.id);
      if (current?.status !== "pending") break;
      await new Promise((done) => setTimeout(done, 50));
    }
    expect((await findImportJob(harness.deps.db, job.id))?.status).toBe("validating");
    worker.kill("SIGTERM");

    expect(await exited).toBe(0);
    const finished = await findImportJob(harness.deps.db, job.id);
    expect({ status: finished?.status, stderr }).toEqual({
      status: "validated",
      stderr: expect.any(String),
    });
    expect(finished?.total_rows).toBe(10_000);
    const counts = await queue.getJobCounts("waiting", "active", "failed");
    expect([counts.waiting, counts.active, counts.failed]).toEqual([0, 0, 0]);
  });
});
