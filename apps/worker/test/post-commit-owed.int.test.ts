/**
 * The work after a commit's transaction (db_verify) is owed until it is
 * recorded: a committed job without db_verify. When it is lost after COMMIT
 * (here: Postgres refuses to record db_verify, by a trigger of the test's), BullMQ's
 * redelivery of the commit does it without applying anything twice; when no
 * delivery is left, the reaper does it. Postgres says what is owed. Then the
 * report of the result (pending since the commit) is built by its queue work:
 * it shows the result and db_verify.
 */
import {
  closeImportQueues,
  countStuckJobs,
  createImportQueues,
  findImportJob,
  type ImportQueues,
  owesPostCommit,
  requestCommit,
} from "@catalog/jobs";
import { createProducerConnection, createWorkerConnection, queueJobId } from "@catalog/queue";
import { getObjectBuffer, type ObjectStore } from "@catalog/storage";
import { testRedisUrl, uniqueQueuePrefix } from "@catalog/testing";
import type { Worker } from "bullmq";
import ExcelJS from "exceljs";
import { sql } from "kysely";
import { commitImport } from "../src/handlers/commit-import";
import { reapJobs } from "../src/handlers/reap-jobs";
import { reportImport } from "../src/handlers/report-import";
import { startImportWorkers } from "../src/import-workers";
import type { WorkerDependencies } from "../src/worker-dependencies";
import { csv, validated } from "./support/commit-helpers";
import { until } from "./support/until";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

/** The sections of the report's Summary sheet (column B). */
async function summarySections(store: ObjectStore, key: string): Promise<Set<unknown>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await getObjectBuffer(store, key)) as unknown as ArrayBuffer);
  const sections = new Set<unknown>();
  workbook.getWorksheet("Summary")?.eachRow((row) => {
    sections.add((row.values as unknown[])[1]);
  });
  return sections;
}

describe("post-commit work owed after COMMIT", () => {
  let harness: WorkerHarness;
  let queues: ImportQueues;
  let workers: Worker[] = [];
  const prefix = uniqueQueuePrefix();
  const producer = createProducerConnection(testRedisUrl());
  const consumer = createWorkerConnection(testRedisUrl());
  /** While set, Postgres refuses to record db_verify (a trigger of this test's database). */
  const refuseDbVerify = async (on: boolean) => {
    await sql`UPDATE test_refuse_db_verify SET refusing = ${on}`.execute(harness.deps.db);
  };
  let faulty: WorkerDependencies;

  beforeAll(async () => {
    harness = await createWorkerHarness();
    queues = createImportQueues(producer, prefix);
    await sql`
      CREATE TABLE test_refuse_db_verify (refusing boolean NOT NULL);
      INSERT INTO test_refuse_db_verify VALUES (true);
      CREATE FUNCTION test_refuse_db_verify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT refusing FROM test_refuse_db_verify) THEN
          RAISE EXCEPTION 'db_verify refused (injected fault)';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_refuse_db_verify BEFORE UPDATE OF db_verify ON ops_importjob
        FOR EACH ROW WHEN (NEW.db_verify IS NOT NULL) EXECUTE FUNCTION test_refuse_db_verify();
    `.execute(harness.deps.db);
    faulty = { ...harness.deps, queues };
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
    await closeImportQueues(queues);
    producer.disconnect();
    consumer.disconnect();
    await harness.close();
  });

  const file = (code: string) =>
    csv([
      ["category", "title_en", "model_code"],
      ["Ocaklar", `Owed ${code}`, code],
    ]);
  const changeCount = async (jobId: string) =>
    Number(
      (
        await harness.deps.db
          .selectFrom("ops_import_change")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("job_id", "=", jobId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("a BullMQ redelivery of the commit completes it, applying nothing twice", async () => {
    const db = harness.deps.db;
    const job = await validated(harness, file("OWED-1"), "owed-1.csv", "smart");
    const validationReport = (await harness.report(job.id)).report_key;
    const request = await requestCommit(db, job.id, false);
    workers = startImportWorkers({ commit: commitImport, report: reportImport }, faulty, {
      connection: consumer,
      prefix,
      concurrency: { commit: 1, report: 1 },
    });
    const [worker] = workers;
    // The first delivery commits, then cannot record db_verify; the fault ends before the retry.
    let afterFirst: Promise<unknown> | undefined;
    worker?.on("failed", () => {
      afterFirst ??= findImportJob(db, job.id).then(async (found) => {
        await refuseDbVerify(false);
        return found;
      });
    });
    await queues.commit.add(
      "commit",
      { importId: job.id },
      {
        jobId: queueJobId("commit", job.id, request?.commit_attempts),
        attempts: 3,
        backoff: { type: "fixed", delay: 500 },
      },
    );
    await until("the redelivery to record db_verify and complete", async () => {
      const current = await findImportJob(db, job.id);
      const state = await (await queues.commit.getJob(queueJobId("commit", job.id, 1)))?.getState();
      return (
        current?.db_verify !== null && current?.db_verify !== undefined && state === "completed"
      );
    });
    const queued = await queues.commit.getJob(queueJobId("commit", job.id, 1));
    // After the first delivery: committed, and owing its post-commit work.
    expect(await afterFirst).toMatchObject({
      status: "success",
      db_verify: null,
      report_status: "pending",
    });
    // Delivered twice: the first attempt failed after COMMIT, the second did the owed work.
    expect(queued?.attemptsMade).toBe(2);
    expect(await queued?.getState()).toBe("completed");
    const done = await findImportJob(db, job.id);
    expect(done).toMatchObject({
      status: "success",
      db_verify: { created_entities_found_in_db: true, created_variant_model_codes: ["OWED-1"] },
    });
    // Once: a product, a variant and the category candidate.
    expect(await changeCount(job.id)).toBe(3);
    // The report of the result, built by its queue work once db_verify was recorded.
    await until("the report of the result", async () => {
      return (await findImportJob(db, job.id))?.report_status === "ready";
    });
    const reported = await findImportJob(db, job.id);
    expect(reported?.report_key).toBe(validationReport);
    expect(reported?.report_generation).toBe(2);
    const sections = await summarySections(harness.deps.store, reported?.report_key ?? "");
    expect(sections.has("result") && sections.has("db_verify")).toBe(true);
  });

  it("with no delivery left, the reaper completes it; until then the stuck gauge counts it", async () => {
    const db = harness.deps.db;
    await refuseDbVerify(true);
    const job = await validated(harness, file("OWED-2"), "owed-2.csv", "smart");
    await requestCommit(db, job.id, false);
    // The only delivery commits and cannot record db_verify (and no retry follows).
    await expect(commitImport(job.id, faulty)).rejects.toThrow(/injected fault/);
    await refuseDbVerify(false);
    const owed = await findImportJob(db, job.id);
    expect(owed?.status).toBe("success");
    expect(owed && owesPostCommit(owed)).toBe(true);

    // Not yet past the grace a live worker would need: the reaper leaves it alone.
    expect((await reapJobs(harness.deps, queues, 1_800)).completed).toEqual([]);
    await sql`UPDATE ops_importjob SET completed_at = now() - interval '1 hour' WHERE id = ${job.id}`.execute(
      db,
    );
    expect((await countStuckJobs(db, 1_800)).success).toBe(1);

    const reaped = await reapJobs(harness.deps, queues, 1_800);
    expect(reaped.completed).toEqual([job.id]);
    const done = await findImportJob(db, job.id);
    expect(done).toMatchObject({
      status: "success",
      db_verify: { created_entities_found_in_db: true, created_variant_model_codes: ["OWED-2"] },
    });
    expect(await changeCount(job.id)).toBe(2);
    // The reaper enqueued the report work of the result; the report worker built it.
    await until("the report of the result", async () => {
      return (await findImportJob(db, job.id))?.report_status === "ready";
    });
    const reported = await findImportJob(db, job.id);
    const sections = await summarySections(harness.deps.store, reported?.report_key ?? "");
    expect(sections.has("result") && sections.has("db_verify")).toBe(true);
    expect((await countStuckJobs(db, 1_800)).success).toBe(0);
    expect((await reapJobs(harness.deps, queues, 1_800)).completed).toEqual([]);
  });
});
