/**
 * The retention over a real bucket and database: back-dated jobs in every
 * state, an input shared with a later revalidation, a stray object no job
 * refers to and a media record whose job is gone. The plan names exactly the
 * objects to delete, applying it deletes exactly those (each recorded), and the
 * snapshot of a job that can still be committed is never among them.
 */
import { randomUUID } from "node:crypto";
import type { JobStatus, MediaKind } from "@catalog/db";
import { headObject, listObjectPages, type ObjectStore, putObject } from "@catalog/storage";
import { createTestDatabase, createTestObjectStore, type TestDatabase } from "@catalog/testing";
import { sql } from "kysely";
import { createImportJob } from "../src/job-lifecycle";
import { recordMedia } from "../src/media.repository";
import { applyRetention, planRetention } from "../src/object-retention";

const RETENTION_DAYS = 90;

describe("object retention", () => {
  let database: TestDatabase;
  let store: ObjectStore;
  beforeAll(async () => {
    database = await createTestDatabase();
    store = await createTestObjectStore();
  });
  afterAll(async () => {
    store.client.destroy();
    await database.drop();
  });

  const keysOf = (id: string) => ({
    input: `inputs/${id}/catalog.csv`,
    snapshot: `snapshots/import_snapshot_${id}.json`,
    report: `reports/import_report_${id}.xlsx`,
  });

  /** Stores an object and records it in catalog_media, as the service does. */
  async function store_(key: string, kind: MediaKind, jobId: string | null): Promise<void> {
    const stored = await putObject(store, key, Buffer.from(`bytes of ${key}`), "text/plain");
    if (jobId)
      await recordMedia(database.db, {
        key,
        kind,
        jobId,
        contentType: "text/plain",
        sizeBytes: stored.sizeBytes,
        sha256: stored.sha256,
      });
  }

  /**
   * A job in `status` that finished `daysAgo` days ago, with the objects named
   * in `objects` stored and recorded (its input at `inputKey` when shared).
   */
  async function job(options: {
    status: JobStatus;
    daysAgo: number;
    objects: MediaKind[];
    retryable?: boolean;
    inputKey?: string;
  }): Promise<{ id: string; input: string; snapshot: string; report: string }> {
    const id = randomUUID();
    const keys = { ...keysOf(id), input: options.inputKey ?? keysOf(id).input };
    await createImportJob(database.db, {
      id,
      mode: "smart",
      file_name: "catalog.csv",
      file_size: 10,
      file_hash: "a".repeat(64),
      input_key: keys.input,
      created_by: "ops@example.com",
    });
    for (const kind of options.objects)
      if (kind !== "input" || !options.inputKey) await store_(keys[kind], kind, id);
    const finished = sql`now() - make_interval(days => ${options.daysAgo})`;
    await sql`UPDATE ops_importjob SET status = ${options.status},
        retryable = ${options.retryable ?? false},
        snapshot_key = ${options.objects.includes("snapshot") ? keys.snapshot : null},
        report_key = ${options.objects.includes("report") ? keys.report : null},
        validated_at = ${finished}, updated_at = ${finished},
        completed_at = CASE WHEN ${options.status} IN ('validated', 'pending') THEN NULL ELSE ${finished} END
      WHERE id = ${id}`.execute(database.db);
    return { id, ...keys };
  }

  async function bucketKeys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of listObjectPages(store)) keys.push(...page.map((o) => o.key));
    return keys.sort();
  }

  it("deletes exactly the objects of expired jobs and the orphans, never a committable snapshot", async () => {
    const all = ["input", "snapshot", "report"] as MediaKind[];
    const oldSuccess = await job({ status: "success", daysAgo: 100, objects: all });
    const oldFailedValidation = await job({
      status: "failed",
      daysAgo: 100,
      objects: ["input"],
    });
    // Committable: a commit that failed for a retryable reason, and a validated job.
    const oldRetryableCommit = await job({
      status: "failed",
      daysAgo: 100,
      retryable: true,
      objects: all,
    });
    const oldValidated = await job({ status: "validated", daysAgo: 100, objects: all });
    const recentSuccess = await job({ status: "success", daysAgo: 10, objects: all });
    // An old job whose input a recent revalidation still uses.
    const oldReverted = await job({ status: "reverted", daysAgo: 100, objects: all });
    const revalidation = await job({
      status: "validated",
      daysAgo: 1,
      objects: all,
      inputKey: oldReverted.input,
    });
    // No job refers to these: a stray upload, and a report whose job row was deleted.
    const stray = `inputs/${randomUUID()}/stray.csv`;
    await store_(stray, "input", null);
    const lostReport = `reports/import_report_${randomUUID()}.xlsx`;
    await store_(lostReport, "report", oldSuccess.id);
    await sql`UPDATE catalog_media SET job_id = NULL WHERE object_key = ${lostReport}`.execute(
      database.db,
    );
    const before = await bucketKeys();
    expect(before).toHaveLength(20);

    // Just written: the orphans are left alone for the grace period (an upload
    // is stored before its job row exists).
    const graced = await planRetention(database.db, store, { retentionDays: RETENTION_DAYS });
    expect(graced.items.filter((item) => item.reason === "orphaned")).toEqual([]);

    const plan = await planRetention(database.db, store, {
      retentionDays: RETENTION_DAYS,
      orphanGraceMs: 0,
    });
    const expected = [
      { key: oldSuccess.input, reason: "expired", jobId: oldSuccess.id, kind: "input" },
      { key: oldSuccess.snapshot, reason: "expired", jobId: oldSuccess.id, kind: "snapshot" },
      { key: oldSuccess.report, reason: "expired", jobId: oldSuccess.id, kind: "report" },
      {
        key: oldFailedValidation.input,
        reason: "expired",
        jobId: oldFailedValidation.id,
        kind: "input",
      },
      { key: oldReverted.snapshot, reason: "expired", jobId: oldReverted.id, kind: "snapshot" },
      { key: oldReverted.report, reason: "expired", jobId: oldReverted.id, kind: "report" },
      { key: stray, reason: "orphaned", jobId: null, kind: "input" },
      { key: lostReport, reason: "orphaned", jobId: null, kind: "report" },
    ].sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(plan.scanned).toBe(20);
    expect(
      plan.items.map(({ key, reason, jobId, kind }) => ({ key, reason, jobId, kind })),
    ).toEqual(expected);
    const committable = [oldRetryableCommit.snapshot, oldValidated.snapshot, revalidation.snapshot];
    for (const key of committable) expect(plan.items.map((item) => item.key)).not.toContain(key);

    const result = await applyRetention(database.db, store, plan, "test");
    expect(result.skipped).toEqual([]);
    const deletedKeys = expected.map((item) => item.key);
    expect(await bucketKeys()).toEqual(before.filter((key) => !deletedKeys.includes(key)));
    for (const key of committable) expect(await headObject(store, key)).not.toBeNull();
    for (const key of [oldReverted.input, recentSuccess.snapshot, oldRetryableCommit.input])
      expect(await headObject(store, key)).not.toBeNull();

    const records = await database.db
      .selectFrom("ops_object_deletion")
      .select(["object_key", "reason", "job_id", "kind", "deleted_by", "size_bytes"])
      .orderBy("object_key")
      .execute();
    expect(records).toEqual(
      expected.map((item) => ({
        object_key: item.key,
        reason: item.reason,
        job_id: item.jobId,
        kind: item.kind,
        deleted_by: "test",
        size_bytes: `bytes of ${item.key}`.length,
      })),
    );
    const media = await database.db
      .selectFrom("catalog_media")
      .select("object_key")
      .where("object_key", "in", deletedKeys)
      .execute();
    expect(media).toEqual([]);

    // Nothing is left to do.
    expect(
      (await planRetention(database.db, store, { retentionDays: RETENTION_DAYS, orphanGraceMs: 0 }))
        .items,
    ).toEqual([]);
  });

  it("re-checks each batch before deleting: an object a job refers to again is skipped", async () => {
    const old = await job({ status: "success", daysAgo: 200, objects: ["input", "report"] });
    const plan = await planRetention(database.db, store, { retentionDays: RETENTION_DAYS });
    expect(plan.items.map((item) => item.key).sort()).toEqual([old.input, old.report].sort());
    // Revalidated after the plan was made: the input is in use again.
    await job({ status: "pending", daysAgo: 0, objects: [], inputKey: old.input });

    const result = await applyRetention(database.db, store, plan, "test");
    expect(result.deleted.map((item) => item.key)).toEqual([old.report]);
    expect(result.skipped.map((item) => item.key)).toEqual([old.input]);
    expect(await headObject(store, old.input)).not.toBeNull();
    expect(await headObject(store, old.report)).toBeNull();
  });
});
