/**
 * The state machine's rules hold in the database: a transition moves a job only
 * from its allowed statuses, `cancelled` is a status the table accepts, and the
 * table of transitions leads to every status.
 */
import { randomUUID } from "node:crypto";
import { JOB_STATUSES, type JobStatus } from "@catalog/db";
import {
  cancelImportJob,
  createImportJob,
  failManually,
  findImportJob,
  TRANSITIONS,
} from "@catalog/jobs";
import { createTestDatabase, type TestDatabase } from "@catalog/testing";
import { sql } from "kysely";

describe("the job lifecycle", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  const jobIn = async (status: JobStatus) => {
    const job = await createImportJob(database.db, {
      id: randomUUID(),
      mode: "strict",
      file_name: "f.csv",
      file_size: 1,
      file_hash: "b".repeat(64),
      input_key: "inputs/f.csv",
      created_by: "t@example.com",
    });
    // Put there by hand: the test is about what may move it on.
    await sql`UPDATE ops_importjob SET status = ${status} WHERE id = ${job.id}`.execute(
      database.db,
    );
    return job.id;
  };

  it("every status is reached by some transition, and every transition names real statuses", () => {
    const reached = new Set(
      Object.values(TRANSITIONS).flatMap((rule) => (rule.to === "same" ? [] : [...rule.to])),
    );
    expect([...reached].sort()).toEqual([...JOB_STATUSES].sort());
    for (const rule of Object.values(TRANSITIONS))
      for (const status of rule.from) expect(JOB_STATUSES).toContain(status);
  });

  it.each(JOB_STATUSES)("cancel from %s", async (status) => {
    const id = await jobIn(status);
    const allowed = (TRANSITIONS.cancel.from as readonly JobStatus[]).includes(status);
    const moved = await cancelImportJob(database.db, id);
    expect(moved?.status).toBe(allowed ? "cancelled" : undefined);
    expect((await findImportJob(database.db, id))?.status).toBe(allowed ? "cancelled" : status);
    if (allowed) expect(moved?.completed_at).toBeInstanceOf(Date);
  });

  it("a cancelled job is final: an operator cannot fail it", async () => {
    const id = await jobIn("validated");
    await cancelImportJob(database.db, id);
    expect(await failManually(database.db, id, "too late")).toBeUndefined();
    expect((await findImportJob(database.db, id))?.status).toBe("cancelled");
  });

  it("the table refuses a status outside the lifecycle", async () => {
    const id = await jobIn("pending");
    await expect(
      sql`UPDATE ops_importjob SET status = 'paused' WHERE id = ${id}`.execute(database.db),
    ).rejects.toThrow(/ops_importjob_status_check/);
  });
});
