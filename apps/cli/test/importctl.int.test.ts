import { randomUUID } from "node:crypto";
import { findActiveToken } from "@catalog/auth";
import { createImportJob, findImportJob, planRetention } from "@catalog/jobs";
import { headObject, type ObjectStore, putObject } from "@catalog/storage";
import { createTestDatabase, createTestObjectStore, type TestDatabase } from "@catalog/testing";
import { sql } from "kysely";
import { importctlRunner } from "./support/run-importctl";

describe("importctl", () => {
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

  const importctl = importctlRunner(() => ({
    databaseUrl: database.url,
    bucket: store.bucket,
    env: { STUCK_AFTER_S: "60" },
  }));

  const newJob = (overrides: Partial<Parameters<typeof createImportJob>[1]> = {}) =>
    createImportJob(database.db, {
      id: randomUUID(),
      mode: "strict",
      file_name: "f.csv",
      file_size: 10,
      file_hash: "a".repeat(64),
      input_key: "inputs/x/f.csv",
      created_by: "ops@example.com",
      ...overrides,
    });

  it("tokens create prints the token once (JSON), stores only its hash; list and revoke work", async () => {
    const created = await importctl(
      "tokens",
      "create",
      "--email",
      "admin@example.com",
      "--role",
      "admin",
      "--json",
    );
    expect(created.status).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    expect(token).toMatch(/^cit_[A-Za-z0-9_-]{43}$/);
    const record = await findActiveToken(database.db, token);
    expect(record).toMatchObject({ email: "admin@example.com", role: "admin" });
    const stored = await database.db.selectFrom("ops_api_token").select("token_hash").execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    const listed = JSON.parse((await importctl("tokens", "list", "--json")).stdout) as {
      id: string;
    }[];
    expect(listed.map((t) => t.id)).toEqual([record?.id]);
    expect((await importctl("tokens", "revoke", record?.id ?? "")).status).toBe(0);
    expect(await findActiveToken(database.db, token)).toBeUndefined();
    expect((await importctl("tokens", "revoke", record?.id ?? "")).status).toBe(1);
  });

  it("refuses a bad role with a clear message", async () => {
    const result = await importctl("tokens", "create", "--email", "a@b.c", "--role", "root");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("root");
  });

  it("stuck list and reap find jobs without progress past STUCK_AFTER_S; reap needs --yes", async () => {
    const stuck = await newJob();
    await sql`UPDATE ops_importjob SET status = 'running', heartbeat_at = now() - interval '2 minutes',
      updated_at = now() - interval '2 minutes' WHERE id = ${stuck.id}`.execute(database.db);
    const fresh = await newJob();

    const listed = JSON.parse((await importctl("stuck", "list", "--json")).stdout) as {
      id: string;
    }[];
    expect(listed.map((job) => job.id)).toEqual([stuck.id]);
    expect((await importctl("stuck", "reap")).stdout).toContain("Dry run: 1 job(s)");
    expect((await findImportJob(database.db, stuck.id))?.status).toBe("running");

    expect((await importctl("stuck", "reap", "--yes")).status).toBe(0);
    expect(await findImportJob(database.db, stuck.id)).toMatchObject({
      status: "failed",
      failure_code: "STUCK_JOB_REAPED",
      retryable: true,
    });
    expect((await findImportJob(database.db, fresh.id))?.status).toBe("pending");
  });

  it("fail marks a job MANUALLY_FAILED; jobs show and health report it", async () => {
    const job = await newJob();
    expect((await importctl("fail", job.id, "--reason", "bad supplier file")).status).toBe(0);
    const shown = JSON.parse((await importctl("jobs", "show", job.id, "--json")).stdout);
    expect(shown).toMatchObject({
      id: job.id,
      status: "failed",
      failure: { code: "MANUALLY_FAILED", message: "bad supplier file" },
    });
    expect((await importctl("fail", job.id)).status).toBe(1);
    const health = JSON.parse((await importctl("health", "--json")).stdout);
    expect(health.failures_by_code.MANUALLY_FAILED).toBe(1);
    expect((await importctl("jobs", "show", randomUUID())).status).toBe(1);
  });

  it("snapshot verify re-hashes stored snapshots; cleanup finds orphaned ones and deletes only with --yes", async () => {
    const job = await newJob();
    const key = `snapshots/import_snapshot_${job.id}.json`;
    const stored = await putObject(
      store,
      key,
      Buffer.from('{"format_version":1}'),
      "application/json",
    );
    await database.db
      .insertInto("catalog_media")
      .values({
        filename: key.slice(10),
        object_key: key,
        kind: "snapshot",
        job_id: job.id,
        content_type: "application/json",
        size_bytes: stored.sizeBytes,
        sha256: stored.sha256,
      })
      .execute();
    await sql`UPDATE ops_importjob SET snapshot_hash = ${stored.sha256} WHERE id = ${job.id}`.execute(
      database.db,
    );

    const ok = await importctl("snapshot", "verify", job.id, "--json");
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([expect.objectContaining({ job_id: job.id, ok: true })]);

    await putObject(store, key, Buffer.from('{"format_version":2}'), "application/json");
    const bad = await importctl("snapshot", "verify", "--all");
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain("FAILED");

    const usage = JSON.parse((await importctl("snapshots", "usage", "--json")).stdout);
    expect(usage).toMatchObject({ count: 1, bytes: stored.sizeBytes });

    // Orphaned: no job refers to it any more (its record lost its job). Just
    // written, so only past a zero grace period.
    await sql`UPDATE catalog_media SET job_id = NULL WHERE object_key = ${key}`.execute(
      database.db,
    );
    expect((await importctl("snapshots", "cleanup")).stdout).toContain("Dry run: 0 object(s)");
    const dryRun = await importctl("snapshots", "cleanup", "--grace", "0m");
    expect(dryRun.stdout).toContain("Dry run: 1 object(s)");
    expect(dryRun.stdout).toMatch(new RegExp(`${key}\\s+snapshot\\s+-\\s+orphaned`));
    expect(await headObject(store, key)).not.toBeNull();
    const deleted = await importctl("snapshots", "cleanup", "--grace", "0m", "--yes", "--json");
    expect(deleted.status).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({
      deleted: true,
      items: [{ key, kind: "snapshot", job_id: null, reason: "orphaned" }],
    });
    expect(await headObject(store, key)).toBeNull();
    expect(JSON.parse((await importctl("snapshots", "usage", "--json")).stdout)).toMatchObject({
      count: 0,
    });
  });

  it("snapshots cleanup shows the retention's plan as a dry run: the objects of a job past SNAPSHOT_RETENTION_DAYS", async () => {
    const old = await newJob();
    const input = `inputs/${old.id}/f.csv`;
    const report = `reports/import_report_${old.id}.xlsx`;
    await putObject(store, input, Buffer.from("a,b"), "text/csv");
    await putObject(store, report, Buffer.from("xlsx"), "application/octet-stream");
    await sql`UPDATE ops_importjob SET status = 'success', input_key = ${input}, report_key = ${report},
      completed_at = now() - interval '91 days' WHERE id = ${old.id}`.execute(database.db);

    const plan = await planRetention(database.db, store, { retentionDays: 90 });
    const shown = JSON.parse((await importctl("snapshots", "cleanup", "--json")).stdout);
    expect(shown).toMatchObject({ deleted: false, retention_days: 90 });
    expect(shown.items).toEqual(
      plan.items.map((item) => ({
        key: item.key,
        kind: item.kind,
        job_id: item.jobId,
        reason: item.reason,
        size_bytes: item.sizeBytes,
        last_modified: item.lastModified.toISOString(),
      })),
    );
    expect(shown.items.map((item: { key: string }) => item.key)).toEqual([input, report]);
    expect(await headObject(store, input)).not.toBeNull();
    const recorded = await database.db
      .selectFrom("ops_object_deletion")
      .selectAll()
      .where("object_key", "in", [input, report])
      .execute();
    expect(recorded).toEqual([]);
  });
});
