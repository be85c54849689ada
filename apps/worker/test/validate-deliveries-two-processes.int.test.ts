/**
 * Two deliveries of one validation, each in a worker process of its own, at the
 * same time (a redelivery while the first worker is slow, not dead), through
 * BullMQ: they leave one snapshot whose bytes hash to the SHA-256 recorded on
 * the job and in the Media table.
 *
 * The two are made to overlap, and to plan different snapshots, without
 * touching the handler: the test holds the job's own recording lock (the
 * advisory lock validate-import.ts takes before it stores anything), so the
 * first delivery plans and then waits there; the catalog is changed; the second
 * delivery, taken by the other worker, plans against the changed catalog and
 * waits there too. Then the lock is let go: one delivery records its snapshot,
 * and the other, whose snapshot differs, must write nothing.
 */
import { createHash } from "node:crypto";
import { closeImportQueues, createImportQueues, type ImportQueues } from "@catalog/jobs";
import { createProducerConnection, type RedisConnection } from "@catalog/queue";
import { getObjectBuffer } from "@catalog/storage";
import {
  createTestDatabase,
  type RunningSystem,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";
import { sql } from "kysely";
import pg from "pg";

jest.setTimeout(180_000);

const ROUNDS = 2;
const ROWS = 200;
const HEADER = "category,title_en,model_code,price";
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
/** The key of the lock validate-import.ts records a job's validation under. */
const recordingLock = (jobId: string) => `import-validate:${jobId}`;

function catalogCsv(price: string): Buffer {
  const lines = [HEADER];
  for (let i = 0; i < ROWS; i++) lines.push(`Ocaklar,Product ${i},TWO-${i},${price}`);
  return Buffer.from(`${lines.join("\n")}\n`);
}

describe("two deliveries of one validation in two worker processes", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let token: string;
  let producer: RedisConnection;
  let queues: ImportQueues;
  /** A session of the test's own that holds the recording lock. */
  let holder: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    system = await startSystem({
      databaseUrl: database.url,
      db: database.db,
      workers: 2,
      // One validation at a time per worker: the second delivery goes to the other one.
      workerEnv: { VALIDATE_CONCURRENCY: "1" },
    });
    token = await system.token("importer");
    producer = createProducerConnection(system.env.REDIS_URL ?? "");
    queues = createImportQueues(producer, system.env.QUEUE_PREFIX ?? "");
    holder = new pg.Client({ connectionString: database.url });
    holder.on("error", () => undefined);
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end();
    if (queues) await closeImportQueues(queues);
    producer?.disconnect();
    await system?.stop();
    await database?.drop();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${system.apiUrl}/api/admin/import-jobs${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });

  async function upload(file: Buffer, name: string): Promise<string> {
    const form = new FormData();
    form.set("mode", "smart");
    form.set("file", new Blob([new Uint8Array(file)]), name);
    const response = await api("/validate/", { method: "POST", body: form });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  }

  async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  const statusOf = async (id: string) =>
    (
      await database.db
        .selectFrom("ops_importjob")
        .select("status")
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).status;

  /** Workers' sessions waiting on an advisory lock: deliveries waiting to record. */
  async function waitingToRecord(): Promise<number> {
    const { rows } = await holder.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
    );
    return rows[0]?.n ?? 0;
  }

  /** The lines worker `index` logged about job `id`, by message. */
  const linesOf = (index: number, id: string) =>
    (system.workers[index]?.logLines() ?? [])
      .filter((line) => line.job_id === id)
      .map((line) => String(line.msg));

  it("leave one snapshot, whose hash is the recorded one, though the two planned different snapshots", async () => {
    const base = await upload(catalogCsv("10.00"), "base.csv");
    await waitFor("the base validated", async () =>
      (await statusOf(base)) === "validated" ? true : undefined,
    );
    const commit = await api(`/${base}/commit/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ allow_partial: false }),
    });
    expect(commit.status).toBe(202);
    await waitFor("the base committed", async () =>
      (await statusOf(base)) === "success" ? true : undefined,
    );

    for (let round = 1; round <= ROUNDS; round++) {
      // Each round's file updates every row; its bytes differ from the other rounds'.
      const id = await upload(catalogCsv(`${20 + round}.00`), `update-${round}.csv`);
      await holder.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [recordingLock(id)]);
      try {
        // The first delivery (the API's) plans, then waits to record.
        await waitFor("the first delivery to wait", async () =>
          (await waitingToRecord()) === 1 ? true : undefined,
        );
        expect(await statusOf(id)).toBe("validating");
        // The catalog changes under it: a planned row's stored price.
        await sql`UPDATE catalog_variant SET price = price + 1 WHERE model_code = 'TWO-0'`.execute(
          database.db,
        );
        // The second delivery of the same validation, taken by the other worker.
        await queues.validate.add("validate", { importId: id }, { jobId: `again-${id}` });
        await waitFor("both deliveries to wait", async () =>
          (await waitingToRecord()) === 2 ? true : undefined,
        );
      } finally {
        await holder.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [
          recordingLock(id),
        ]);
      }
      await waitFor("both deliveries to end", async () => {
        const ended = [0, 1].map((index) =>
          linesOf(index, id).filter(
            (msg) => msg === "Validation finished" || msg.startsWith("Validation not recorded"),
          ),
        );
        return ended.flat().length === 2 ? ended : undefined;
      });

      // Each process ran one delivery: one recorded, the other did not.
      const outcomes = [0, 1]
        .map((index) =>
          linesOf(index, id).some((msg) => msg === "Validation finished") ? "recorded" : "skipped",
        )
        .sort();
      expect(outcomes).toEqual(["recorded", "skipped"]);
      const skipped = system.workers
        .flatMap((worker) => worker.logLines())
        .find(
          (line) => line.job_id === id && String(line.msg).startsWith("Validation not recorded"),
        ) as { computed_sha256?: string; recorded_sha256?: string } | undefined;

      const job = await database.db
        .selectFrom("ops_importjob")
        .select(["status", "snapshot_key", "snapshot_hash"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
      const bytes = await getObjectBuffer(system.store, job.snapshot_key ?? "");
      const media = await database.db
        .selectFrom("catalog_media")
        .select("sha256")
        .where("object_key", "=", job.snapshot_key ?? "")
        .execute();
      expect({
        status: job.status,
        stored: sha256(bytes),
        media: media.map((row) => row.sha256),
      }).toEqual({
        status: "validated",
        stored: job.snapshot_hash?.trim(),
        media: [job.snapshot_hash?.trim()],
      });
      // The race was real: the delivery that wrote nothing had planned another snapshot.
      expect(skipped?.recorded_sha256).toBe(job.snapshot_hash?.trim());
      expect(skipped?.computed_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(skipped?.computed_sha256).not.toBe(skipped?.recorded_sha256);
    }
    expect(system.unexpectedExits()).toEqual([]);
  });
});
