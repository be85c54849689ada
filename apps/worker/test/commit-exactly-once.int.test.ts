import type { ChildProcess } from "node:child_process";
import { findImportJob, recordProgress, requestCommit } from "@catalog/jobs";
import { createProducerConnection, QUEUE_NAMES, queueJobId } from "@catalog/queue";
import {
  catalogRowsChecksum,
  dumpCatalog,
  readFixture,
  testRedisUrl,
  uniqueQueuePrefix,
} from "@catalog/testing";
import { Queue } from "bullmq";
import { sql } from "kysely";
import { commitImport } from "../src/handlers/commit-import";
import { committed, csv, validated } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";
import { spawnWorkerProcess } from "./support/worker-process";

describe("commit exactly once", () => {
  let harness: WorkerHarness;
  beforeAll(async () => {
    harness = await createWorkerHarness();
    await committed(
      harness,
      await validated(harness, await readFixture("01_base.xlsx"), "01_base.xlsx", "smart"),
    );
  });
  afterAll(() => harness.close());

  it("the handler run twice at once for one job applies it once", async () => {
    const job = await validated(
      harness,
      await readFixture("02_update.csv"),
      "02_update.csv",
      "strict",
    );
    await requestCommit(harness.deps.db, job.id, true);
    const [first, second] = await Promise.all([
      commitImport(job.id, harness.deps),
      commitImport(job.id, harness.deps),
    ]);
    expect([first?.status, second?.status].sort()).toEqual(["partial", "partial"]);
    const changes = await harness.deps.db
      .selectFrom("ops_import_change")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("job_id", "=", job.id)
      .executeTakeFirstOrThrow();
    // 3 products + 7 variants created, 5 variants updated: once each.
    expect(Number(changes.n)).toBe(15);
    // And once more, later: nothing to do.
    expect(await commitImport(job.id, harness.deps)).toBeUndefined();
    // A late delivery's progress write (claimed before the first finished) leaves the finished job as it is.
    const finished = await findImportJob(harness.deps.db, job.id);
    expect(finished?.progress).toEqual({ phase: "commit", done: 15, total: 15 });
    await recordProgress(harness.deps.db, job.id, { phase: "commit", done: 0, total: 15 });
    expect(await findImportJob(harness.deps.db, job.id)).toEqual(finished);
  });

  it("a worker process killed before COMMIT leaves nothing; the retry succeeds", async () => {
    const job = await validated(
      harness,
      csv([
        ["category", "title_en", "model_code", "price"],
        ["Pişirme Ekipmanları", "Killed Product", "KILL-1", "10"],
        ["Pişirme Ekipmanları", "Killed Product", "KILL-2", "11"],
      ]),
      "kill.csv",
      "strict",
    );
    await sql`CREATE FUNCTION test_slow_variant() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(30); RETURN NEW; END $$`.execute(harness.deps.db);
    await sql`CREATE TRIGGER test_slow_variant BEFORE INSERT ON catalog_variant
      FOR EACH ROW EXECUTE FUNCTION test_slow_variant()`.execute(harness.deps.db);
    const before = await catalogRowsChecksum(harness.deps.db);

    const prefix = uniqueQueuePrefix();
    const producer = createProducerConnection(testRedisUrl());
    const queue = new Queue(QUEUE_NAMES.commit, { connection: producer, prefix });
    let worker: ChildProcess | undefined;
    try {
      const request = await requestCommit(harness.deps.db, job.id, true);
      worker = spawnWorkerProcess(harness, prefix, { LOG_LEVEL: "silent" });
      const exited = new Promise((done) => worker?.once("exit", done));
      await queue.add(
        "commit",
        { importId: job.id },
        { jobId: queueJobId("commit", job.id, request?.commit_attempts) },
      );
      // Wait until the commit transaction is inside the slow insert, i.e. mid-transaction.
      for (let i = 0; i < 200; i++) {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%INSERT INTO catalog_variant%' AND state = 'active'`.execute(
          harness.deps.db,
        );
        if (rows[0]?.n) break;
        await new Promise((done) => setTimeout(done, 100));
      }
      worker.kill("SIGKILL");
      await exited;
      // Postgres rolls the dead session's transaction back; give it a moment to notice.
      for (let i = 0; i < 150; i++) {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%INSERT INTO catalog_variant%'`.execute(
          harness.deps.db,
        );
        if (!rows[0]?.n) break;
        await new Promise((done) => setTimeout(done, 100));
      }
      expect(await catalogRowsChecksum(harness.deps.db)).toEqual(before);
      expect((await findImportJob(harness.deps.db, job.id))?.status).toBe("running");
    } finally {
      worker?.kill("SIGKILL");
      await sql`DROP TRIGGER test_slow_variant ON catalog_variant`.execute(harness.deps.db);
      await queue.obliterate({ force: true });
      await queue.close();
      producer.disconnect();
    }
    // The queue's redelivery (here: the handler run again) applies it, once.
    expect(await commitImport(job.id, harness.deps)).toMatchObject({ status: "success" });
    expect(Object.keys((await dumpCatalog(harness.deps.db)).variants)).toEqual(
      expect.arrayContaining(["KILL-1", "KILL-2"]),
    );
  });
});
