/**
 * The retention runs by itself: a worker process started from the repository
 * (as `npm start` does) runs it from its maintenance schedule, with no operator
 * command, and deletes the objects of a job past SNAPSHOT_RETENTION_DAYS while
 * keeping the snapshot of a job that can still be committed.
 */
import { randomUUID } from "node:crypto";
import { createImportJob } from "@catalog/jobs";
import { headObject, putObject } from "@catalog/storage";
import {
  createTestDatabase,
  type RunningSystem,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";
import { sql } from "kysely";

jest.setTimeout(120_000);

describe("the retention schedule", () => {
  let database: TestDatabase;
  let system: RunningSystem;

  beforeAll(async () => {
    database = await createTestDatabase();
    system = await startSystem({
      databaseUrl: database.url,
      db: database.db,
      api: false,
      workers: 0,
    });
  });
  afterAll(async () => {
    await system?.stop();
    await database?.drop();
  });

  /** A job in `status`, finished 100 days ago, with its input and snapshot stored. */
  async function oldJob(status: "success" | "validated") {
    const id = randomUUID();
    const input = `inputs/${id}/catalog.csv`;
    const snapshot = `snapshots/import_snapshot_${id}.json`;
    await putObject(system.store, input, Buffer.from("category\n"), "text/csv");
    await putObject(system.store, snapshot, Buffer.from("{}"), "application/json");
    await createImportJob(database.db, {
      id,
      mode: "strict",
      file_name: "catalog.csv",
      file_size: 9,
      file_hash: "b".repeat(64),
      input_key: input,
      created_by: "ops@example.com",
    });
    await sql`UPDATE ops_importjob SET status = ${status}, snapshot_key = ${snapshot},
        updated_at = now() - interval '100 days',
        completed_at = CASE WHEN ${status} = 'success' THEN now() - interval '100 days' END
      WHERE id = ${id}`.execute(database.db);
    return { id, input, snapshot };
  }

  it("deletes an expired job's objects from the worker's maintenance schedule, not a committable snapshot", async () => {
    const expired = await oldJob("success");
    const committable = await oldJob("validated");

    const worker = await system.startWorker();
    await worker.waitForOutput(/"msg":"Retention finished"/, 60_000);

    expect(await headObject(system.store, expired.input)).toBeNull();
    expect(await headObject(system.store, expired.snapshot)).toBeNull();
    expect(await headObject(system.store, committable.snapshot)).not.toBeNull();
    expect(await headObject(system.store, committable.input)).not.toBeNull();
    const records = await database.db
      .selectFrom("ops_object_deletion")
      .select(["object_key", "reason", "job_id", "deleted_by"])
      .orderBy("object_key")
      .execute();
    expect(records).toEqual([
      { object_key: expired.input, reason: "expired", job_id: expired.id, deleted_by: "retention" },
      {
        object_key: expired.snapshot,
        reason: "expired",
        job_id: expired.id,
        deleted_by: "retention",
      },
    ]);
    const logged = worker
      .logLines()
      .filter((line) => line.msg === "Object deleted by the retention");
    expect(logged.map((line) => line.key).sort()).toEqual([expired.input, expired.snapshot]);
  });
});
