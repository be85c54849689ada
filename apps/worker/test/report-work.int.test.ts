/**
 * The report as queue work of its own (issue 12): validation ends `validated`
 * with the report pending, and the report work (through a real BullMQ queue and
 * worker) then stores it and records it ready; report work Redis lost (the
 * queue's keys deleted, as a flush does) is enqueued again by the reaper from
 * Postgres; the work of a validation's report that overlaps the job's commit
 * never leaves the validation's report recorded for the committed job.
 */
import {
  closeImportQueues,
  createImportQueues,
  findImportJob,
  type ImportQueues,
  requestCommit,
} from "@catalog/jobs";
import { createProducerConnection, createWorkerConnection, queueJobId } from "@catalog/queue";
import { getObjectBuffer, type ObjectStore } from "@catalog/storage";
import { testRedisUrl, uniqueQueuePrefix, waitForReportReady } from "@catalog/testing";
import type { Worker } from "bullmq";
import ExcelJS from "exceljs";
import { sql } from "kysely";
import pg from "pg";
import { commitImport } from "../src/handlers/commit-import";
import { reapJobs } from "../src/handlers/reap-jobs";
import { reportImport } from "../src/handlers/report-import";
import { validateImport } from "../src/handlers/validate-import";
import { startImportWorkers } from "../src/import-workers";
import type { WorkerDependencies } from "../src/worker-dependencies";
import { csv } from "./support/commit-helpers";
import { until } from "./support/until";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

/** The sections of the report's Summary sheet (column B). */
async function summarySections(store: ObjectStore, key: string): Promise<unknown[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await getObjectBuffer(store, key)) as unknown as ArrayBuffer);
  const sections: unknown[] = [];
  workbook.getWorksheet("Summary")?.eachRow((row) => {
    sections.push((row.values as unknown[])[1]);
  });
  return sections;
}

describe("the report as queue work", () => {
  let harness: WorkerHarness;
  let queues: ImportQueues;
  let deps: WorkerDependencies;
  let workers: Worker[] = [];
  const prefix = uniqueQueuePrefix();
  const producer = createProducerConnection(testRedisUrl());
  const consumer = createWorkerConnection(testRedisUrl());

  beforeAll(async () => {
    harness = await createWorkerHarness();
    queues = createImportQueues(producer, prefix);
    deps = { ...harness.deps, queues };
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
    await closeImportQueues(queues);
    producer.disconnect();
    consumer.disconnect();
    await harness.close();
  });

  let seq = 0;
  const file = () =>
    csv([
      ["category", "title_en", "model_code"],
      ["Ocaklar", `Report ${++seq}`, `RW-${seq}`],
    ]);
  const startWorkers = () => {
    workers = startImportWorkers(
      { validate: validateImport, commit: commitImport, report: reportImport },
      deps,
      { connection: consumer, prefix, concurrency: { validate: 1, commit: 1, report: 1 } },
    );
  };
  const stopWorkers = async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    workers = [];
  };

  it("validates to `validated` with the report pending; the report work then stores it and records it ready", async () => {
    startWorkers();
    const job = await harness.submit(file(), "queued.csv", "smart");
    await queues.validate.add("validate", { importId: job.id }, { jobId: `validate-${job.id}` });
    await until("validated", async () => {
      return (await findImportJob(harness.deps.db, job.id))?.status === "validated";
    });
    const ready = await waitForReportReady(harness.deps.db, job.id, { generation: 1 });
    expect(ready).toMatchObject({
      status: "validated",
      report_status: "ready",
      report_generation: 1,
      report_key: `reports/import_report_${job.id}.xlsx`,
    });
    const reportWork = await queues.report.getJob(queueJobId("report", job.id, 1));
    expect(await reportWork?.getState()).toBe("completed");
    expect(await summarySections(harness.deps.store, ready.report_key ?? "")).not.toContain(
      "result",
    );

    // Committed through the queue: db_verify on the commit path, then the result's report.
    const taken = await requestCommit(harness.deps.db, job.id, false);
    await queues.commit.add(
      "commit",
      { importId: job.id },
      { jobId: queueJobId("commit", job.id, taken?.commit_attempts) },
    );
    const after = await waitForReportReady(harness.deps.db, job.id, { generation: 2 });
    expect(after.status).toBe("success");
    expect((await findImportJob(harness.deps.db, job.id))?.db_verify).toMatchObject({
      created_entities_found_in_db: true,
    });
    expect(await summarySections(harness.deps.store, after.report_key ?? "")).toEqual(
      expect.arrayContaining(["result", "db_verify"]),
    );
    await stopWorkers();
  });

  it("report work Redis lost is enqueued again by the reaper from Postgres, and the report becomes ready", async () => {
    // Validated with its report work enqueued, and no worker running.
    const job = await harness.submit(file(), "lost-report.csv", "smart");
    await validateImport(job.id, deps);
    const id = queueJobId("report", job.id, 1);
    expect(await (await queues.report.getJob(id))?.getState()).toBe("waiting");
    // Redis loses it (the queue's keys of this test's prefix deleted: a flush of them).
    const keys = await producer.keys(`${prefix}:*`);
    if (keys.length) await producer.del(...keys);
    expect(await queues.report.getJob(id)).toBeUndefined();
    expect((await findImportJob(harness.deps.db, job.id))?.report_status).toBe("pending");

    // Not yet lost for long enough: left alone.
    expect((await reapJobs(deps, queues, 1_800, { lostAfterS: 60 })).reports).toEqual([]);
    await sql`UPDATE ops_importjob SET report_requested_at = now() - interval '2 minutes' WHERE id = ${job.id}`.execute(
      harness.deps.db,
    );
    expect((await reapJobs(deps, queues, 1_800, { lostAfterS: 60 })).reports).toEqual([job.id]);
    // Queued again once: the next run leaves it be.
    expect((await reapJobs(deps, queues, 1_800, { lostAfterS: 60 })).reports).toEqual([]);
    startWorkers();
    const ready = await waitForReportReady(harness.deps.db, job.id, { generation: 1 });
    expect(ready.report_status).toBe("ready");
    expect(await (await queues.report.getJob(id))?.getState()).toBe("completed");
    await stopWorkers();
  });

  it("a validation's report work that overlaps the commit records no stale report: the committed job's report shows the result", async () => {
    const job = await harness.submit(file(), "overlap.csv", "smart");
    await validateImport(job.id, harness.deps);
    // The report work of the validation (generation 1) waits for the job's report
    // lock, held here, while the job is committed (generation 2) meanwhile.
    const holder = new pg.Client({ connectionString: harness.database.url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
        `import-report:${job.id}`,
      ]);
      const stale = reportImport(job.id, harness.deps);
      await until("the report work to wait for the lock", async () => {
        const { rows } = await holder.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
        return rows[0].n > 0;
      });
      await requestCommit(harness.deps.db, job.id, false);
      const committed = await commitImport(job.id, harness.deps);
      expect(committed).toMatchObject({ status: "success", report_status: "pending" });
      expect(committed?.report_generation).toBe(2);
      await holder.query("COMMIT");
      // It re-read the job under the lock: it wrote the committed job's report.
      await stale;
    } finally {
      await holder.end();
    }
    const now = await findImportJob(harness.deps.db, job.id);
    expect(now).toMatchObject({ report_status: "ready", report_generation: 2 });
    expect(await summarySections(harness.deps.store, now?.report_key ?? "")).toEqual(
      expect.arrayContaining(["result", "db_verify"]),
    );
    // The work of generation 2 then finds it ready and writes nothing.
    const before = await getObjectBuffer(harness.deps.store, now?.report_key ?? "");
    expect(await reportImport(job.id, harness.deps)).toBeUndefined();
    expect((await getObjectBuffer(harness.deps.store, now?.report_key ?? "")).equals(before)).toBe(
      true,
    );
  });
});
