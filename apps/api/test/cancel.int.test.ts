/**
 * `POST /api/admin/import-jobs/<id>/cancel/` with the real API, Postgres, Redis,
 * S3 and a real BullMQ validate worker: each cancellable state (pending,
 * validating, validated) ends `cancelled` with its queue work removed or made a
 * no-op; a validation cancelled while it runs stops at its next check and leaves
 * no snapshot, and a cancel that arrives while the result is being recorded
 * waits for it (never a snapshot without its record); a job in a commit (and a
 * finished one) answers 409; the cancel is announced in the webhook outbox.
 */
import { createHash, randomUUID } from "node:crypto";
import type { JobResource } from "@catalog/jobs";
import { createLogger, createMetrics } from "@catalog/observability";
import { createWorkerConnection, queueJobId } from "@catalog/queue";
import { deleteObject, getObjectBuffer, putObject } from "@catalog/storage";
import { testRedisUrl } from "@catalog/testing";
import type { Worker } from "bullmq";
import pg from "pg";
import { commitImport } from "../../worker/src/handlers/commit-import";
import { validateImport } from "../../worker/src/handlers/validate-import";
import { startImportWorkers } from "../../worker/src/import-workers";
import {
  insertJob,
  listKeys,
  readError,
  readJob,
  startTestApi,
  type TestApi,
  upload,
  uploadForm,
} from "./support/test-api";

const BASE = "/api/admin/import-jobs";
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe("cancel", () => {
  let api: TestApi;
  let workers: Worker[] = [];
  const connection = createWorkerConnection(testRedisUrl());

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await Promise.all([admin?.end(), observer?.end()]);
    await Promise.all(workers.map((worker) => worker.close()));
    connection.disconnect();
    await api.close();
  });

  /** What a worker process is given, on this file's database and bucket. */
  const workerDeps = () => ({
    db: api.db,
    store: api.store,
    logger: createLogger("cancel-worker", "silent"),
    metrics: createMetrics(),
    limits: {
      maxProducts: 5_000,
      maxVariants: 10_000,
      maxSpecsPerVariant: 50,
      maxUncompressedBytes: 100 * 1024 * 1024,
      validationTimeoutMs: 60_000,
      commitTimeoutMs: 60_000,
    },
  });

  /** Starts the validate consumer (once) on this file's queues. */
  function startValidateWorker(): void {
    if (workers.length) return;
    workers = startImportWorkers({ validate: validateImport }, workerDeps(), {
      connection,
      prefix: api.queues.validate.opts.prefix ?? "",
      concurrency: { validate: 1 },
    });
  }

  const cancel = (id: string) =>
    fetch(`${api.url}${BASE}/${id}/cancel/`, { method: "POST", headers: api.auth("importer") });

  /** Uploads a small catalog (smart mode), different bytes each time. */
  async function uploadBase(callbackUrl?: string): Promise<JobResource> {
    const code = `C-${randomUUID().slice(0, 8)}`;
    const csv = `category,series,brand,title_en,model_code,price\nOcaklar,Seri A,Marka,Ocak ${code},${code},10.50\n`;
    const parts: Parameters<typeof uploadForm>[0] = [
      ["mode", "smart"],
      ["file", Buffer.from(csv), "catalog.csv"],
    ];
    if (callbackUrl) parts.unshift(["callback_url", callbackUrl]);
    const response = await upload(api, uploadForm(parts));
    expect(response.status).toBe(202);
    return readJob(response);
  }

  async function statusOf(id: string): Promise<string> {
    const row = await api.db
      .selectFrom("ops_importjob")
      .select("status")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return row.status;
  }

  async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const value = await check();
      if (value !== undefined) return value;
      await sleep(100);
    }
    throw new Error(`Timed out waiting for ${what}`);
  }

  /** What a job left in storage and in the Media table. */
  async function leftovers(id: string) {
    const media = await api.db
      .selectFrom("catalog_media")
      .select(["kind", "object_key"])
      .where("job_id", "=", id)
      .where("kind", "!=", "input")
      .execute();
    const objects = (await listKeys(api.store)).filter(
      (key) => key.includes(id) && !key.startsWith("inputs/"),
    );
    const job = await api.db
      .selectFrom("ops_importjob")
      .select(["snapshot_key", "snapshot_hash", "report_key"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return { media, objects, job };
  }

  /** Waits until a backend of this test's database waits on a lock, in a query naming `table`. */
  async function waitForLockWait(table: string): Promise<void> {
    const databaseName = new URL(api.databaseUrl).pathname.slice(1);
    await waitFor(`a query on ${table} to wait for its lock`, async () => {
      const { rows } = await observer.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = $1 AND wait_event_type = 'Lock' AND query ILIKE $2`,
        [databaseName, `%${table}%`],
      );
      return rows[0].n > 0 ? true : undefined;
    });
  }

  // `admin` holds locks in a transaction; `observer` watches pg_stat_activity
  // (whose view is frozen for the rest of a transaction, so not from `admin`).
  let admin: pg.Client;
  let observer: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: api.databaseUrl });
    observer = new pg.Client({ connectionString: api.databaseUrl });
    for (const client of [admin, observer]) {
      client.on("error", () => undefined);
      await client.connect();
    }
  });

  it("cancels a pending job: its queued validation is removed, and a redelivery does nothing", async () => {
    const job = await uploadBase("https://hooks.example.com/cancel");
    const queued = await api.queues.validate.getJob(queueJobId("validate", job.id));
    expect(await queued?.getState()).toBe("waiting");

    const response = await cancel(job.id);
    expect(response.status).toBe(200);
    const cancelled = await readJob(response);
    expect(cancelled).toMatchObject({ id: job.id, status: "cancelled" });
    expect(cancelled.completed_at).not.toBeNull();
    expect(await api.queues.validate.getJob(queueJobId("validate", job.id))).toBeUndefined();

    // The same work delivered anyway (e.g. re-added by the reaper): a no-op.
    await api.queues.validate.add("validate", { importId: job.id }, { jobId: `again-${job.id}` });
    startValidateWorker();
    const done = await api.queues.validate.getJob(`again-${job.id}`);
    await waitFor("the redelivery to finish", async () =>
      (await done?.getState()) === "completed" ? true : undefined,
    );
    expect(await statusOf(job.id)).toBe("cancelled");
    expect(await leftovers(job.id)).toEqual({
      media: [],
      objects: [],
      job: { snapshot_key: null, snapshot_hash: null, report_key: null },
    });
    // The cancel is announced like every phase end (the webhook outbox, same transaction).
    const events = await api.db
      .selectFrom("ops_webhook_event")
      .select(["type", "callback_url", "state"])
      .where("job_id", "=", job.id)
      .execute();
    expect(events).toEqual([
      {
        type: "import_job.cancelled",
        callback_url: "https://hooks.example.com/cancel",
        state: "pending",
      },
    ]);
  });

  it("stops a running validation at its next check: cancelled, no snapshot written", async () => {
    startValidateWorker();
    // Hold the catalog: the validation blocks reading it, after parsing, before its snapshot.
    await admin.query("BEGIN; LOCK TABLE catalog_category IN ACCESS EXCLUSIVE MODE");
    let job: JobResource;
    const sentinel = Buffer.from("not written by the validation");
    try {
      job = await uploadBase();
      await waitForLockWait("catalog_category");
      expect(await statusOf(job.id)).toBe("validating");
      // Any write to the snapshot's key (even one deleted afterwards) would replace this.
      await putObject(
        api.store,
        `snapshots/import_snapshot_${job.id}.json`,
        sentinel,
        "text/plain",
      );
      const response = await cancel(job.id);
      expect(response.status).toBe(200);
      expect((await readJob(response)).status).toBe("cancelled");
    } finally {
      await admin.query("ROLLBACK");
    }
    const work = await api.queues.validate.getJob(queueJobId("validate", job.id));
    await waitFor("the validation to stop", async () =>
      (await work?.getState()) === "completed" ? true : undefined,
    );
    expect(await statusOf(job.id)).toBe("cancelled");
    // The validation stopped at its check: the snapshot key was never written.
    const snapshotKey = `snapshots/import_snapshot_${job.id}.json`;
    expect(await getObjectBuffer(api.store, snapshotKey)).toEqual(sentinel);
    await deleteObject(api.store, snapshotKey);
    expect(await leftovers(job.id)).toEqual({
      media: [],
      objects: [],
      job: { snapshot_key: null, snapshot_hash: null, report_key: null },
    });
  });

  it("makes a cancel that arrives while the result is recorded wait: no snapshot without its record", async () => {
    startValidateWorker();
    const [worker] = workers;
    await worker?.pause();
    const job = await uploadBase();
    // Hold the snapshot's Media row (an uncommitted row with its key, no job_id: a
    // foreign key would also lock the job's row): the worker's insert waits for it
    // inside the recording transaction, the snapshot already in S3.
    await admin.query("BEGIN");
    let answer: Promise<Response>;
    try {
      await admin.query(
        `INSERT INTO catalog_media (filename, object_key, kind, job_id, content_type, size_bytes, sha256)
         VALUES ('held', $1, 'snapshot', NULL, 'x', 0, repeat('0', 64))`,
        [`snapshots/import_snapshot_${job.id}.json`],
      );
      worker?.resume();
      await waitForLockWait("catalog_media");
      expect(await listKeys(api.store, `snapshots/import_snapshot_${job.id}`)).toHaveLength(1);
      // The cancel waits for the job's row, which the recording transaction holds.
      answer = cancel(job.id);
      await waitForLockWait("ops_importjob");
    } finally {
      await admin.query("ROLLBACK");
    }
    // The validation was recorded first; the cancel then finds a validated job.
    const response = await answer;
    expect(response.status).toBe(200);
    const cancelled = await readJob(response);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.validated_at).not.toBeNull();
    const { media, objects, job: stored } = await leftovers(job.id);
    // The report is built after `validated` by report work (none runs here).
    expect(objects).toEqual([`snapshots/import_snapshot_${job.id}.json`]);
    expect(media.map((row) => row.kind).sort()).toEqual(["snapshot"]);
    expect(cancelled.report_status).toBe("pending");
    const bytes = await getObjectBuffer(api.store, `snapshots/import_snapshot_${job.id}.json`);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(stored.snapshot_hash?.trim());
  });

  it("cancels a validated job; a commit is then refused", async () => {
    startValidateWorker();
    const job = await uploadBase();
    await waitFor("validated", async () =>
      (await statusOf(job.id)) === "validated" ? true : undefined,
    );
    const response = await cancel(job.id);
    expect(response.status).toBe(200);
    expect((await readJob(response)).status).toBe("cancelled");
    const commit = await fetch(`${api.url}${BASE}/${job.id}/commit/`, {
      method: "POST",
      headers: { ...api.auth("importer"), "content-type": "application/json" },
      body: "{}",
    });
    expect(commit.status).toBe(409);
  });

  it("cancels a validated job whose commit is requested but not started: its commit work is removed, and a delivery of it anyway writes nothing", async () => {
    startValidateWorker();
    const job = await uploadBase();
    await waitFor("validated", async () =>
      (await statusOf(job.id)) === "validated" ? true : undefined,
    );
    // No commit worker runs yet: the requested commit waits in the queue.
    const requested = await fetch(`${api.url}${BASE}/${job.id}/commit/`, {
      method: "POST",
      headers: { ...api.auth("importer"), "content-type": "application/json" },
      body: JSON.stringify({ allow_partial: false }),
    });
    expect(requested.status).toBe(202);
    const { commit_attempts: attempt } = await api.db
      .selectFrom("ops_importjob")
      .select("commit_attempts")
      .where("id", "=", job.id)
      .executeTakeFirstOrThrow();
    const commitWork = queueJobId("commit", job.id, attempt);
    expect(await (await api.queues.commit.getJob(commitWork))?.getState()).toBe("waiting");

    const response = await cancel(job.id);
    expect(response.status).toBe(200);
    expect((await readJob(response)).status).toBe("cancelled");
    expect(await api.queues.commit.getJob(commitWork)).toBeUndefined();

    // The same commit delivered anyway (e.g. re-added before the cancel): a no-op.
    await api.queues.commit.add("commit", { importId: job.id }, { jobId: `again-${commitWork}` });
    const committers = startImportWorkers({ commit: commitImport }, workerDeps(), {
      connection,
      prefix: api.queues.commit.opts.prefix ?? "",
      concurrency: { commit: 1 },
    });
    try {
      const delivered = await api.queues.commit.getJob(`again-${commitWork}`);
      await waitFor("the delivered commit to finish", async () => {
        const state = await delivered?.getState();
        return state === "completed" || state === "failed" ? true : undefined;
      });
    } finally {
      await Promise.all(committers.map((worker) => worker.close()));
    }
    expect(await statusOf(job.id)).toBe("cancelled");
    const written = await api.db
      .selectFrom("ops_import_change")
      .select("id")
      .where("job_id", "=", job.id)
      .execute();
    // No test of this file commits anything: the catalog of its database stays empty.
    const variants = await api.db.selectFrom("catalog_variant").select("model_code").execute();
    expect({ changes: written, variants }).toEqual({ changes: [], variants: [] });
  });

  it("answers 409 for a job in a commit", async () => {
    const job = await insertJob(api.db, { status: "running", commit_requested_at: new Date() });
    const response = await cancel(job.id);
    expect(response.status).toBe(409);
    const error = await readError(response);
    expect(error).toMatchObject({ code: "INVALID_STATE", details: { status: "running" } });
    expect(error.message).toContain("commit");
    expect(await statusOf(job.id)).toBe("running");
  });

  it.each(["success", "partial", "failed", "reverted", "cancelled"] as const)(
    "answers 409 for a %s job",
    async (status) => {
      const job = await insertJob(api.db, { status });
      const response = await cancel(job.id);
      expect(response.status).toBe(409);
      expect(await statusOf(job.id)).toBe(status);
    },
  );

  it("is refused to a viewer", async () => {
    const job = await insertJob(api.db, { status: "pending" });
    const response = await fetch(`${api.url}${BASE}/${job.id}/cancel/`, {
      method: "POST",
      headers: api.auth("viewer"),
    });
    expect(response.status).toBe(403);
  });
});
