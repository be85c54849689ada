/**
 * `importctl retry` and `importctl revert` take the API's path: the same checks
 * (refusals identical to the API's error bodies), the same transition and the
 * same queue work, done by a real worker process. Real API, worker, Redis, S3
 * and Postgres (the system harness).
 */
import { closeImportQueues, createImportQueues } from "@catalog/jobs";
import { createProducerConnection } from "@catalog/queue";
import {
  createTestDatabase,
  freePort,
  readFixture,
  type RunningSystem,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";
import { sql } from "kysely";
import { importctlRunner, jsonOf } from "./support/run-importctl";

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface JobJson {
  id: string;
  status: string;
  failure: { code: string } | null;
  result: unknown;
}

describe("importctl retry and revert", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let token: string;
  let redisUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    system = await startSystem({
      databaseUrl: database.url,
      db: database.db,
      workers: 1,
      workerEnv: { REAPER_INTERVAL_S: "1" },
    });
    token = await system.token("admin");
    redisUrl = system.env.REDIS_URL ?? "";
  });
  afterAll(async () => {
    await system?.stop();
    await database?.drop();
  });

  const importctl = importctlRunner(() => ({
    databaseUrl: database.url,
    bucket: system.store.bucket,
    env: {
      S3_ENDPOINT: system.s3.endpoint,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: system.env.QUEUE_PREFIX ?? "",
    },
  }));

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${system.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });

  async function waitForStatus(id: string, statuses: string[]): Promise<string> {
    for (let attempt = 0; attempt < 600; attempt++) {
      const row = await database.db
        .selectFrom("ops_importjob")
        .select("status")
        .where("id", "=", id)
        .executeTakeFirst();
      if (row && statuses.includes(row.status)) return row.status;
      await sleep(100);
    }
    throw new Error(`Job ${id} never reached ${statuses.join("/")}`);
  }

  async function validated(fixture: string, mode: "strict" | "smart"): Promise<string> {
    const form = new FormData();
    form.set("mode", mode);
    form.set("file", new Blob([await readFixture(fixture)]), fixture);
    const response = await api("/api/admin/import-jobs/validate/", { method: "POST", body: form });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await waitForStatus(id, ["validated", "failed"]);
    return id;
  }

  /** What the API answers to the same request. */
  async function apiAnswer(path: string, body?: unknown) {
    const response = await api(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  it("retries a commit the reaper failed, through the API's transition and queue work", async () => {
    const id = await validated("01_base.xlsx", "smart");
    // Its commit was taken by a worker that died two hours ago: the reaper fails it, retryable.
    await sql`UPDATE ops_importjob SET status = 'running', commit_requested_at = now() - interval '2 hours',
      commit_attempts = 1, allow_partial = false, heartbeat_at = now() - interval '2 hours',
      updated_at = now() - interval '2 hours' WHERE id = ${id}`.execute(database.db);
    await waitForStatus(id, ["failed"]);
    const reaped = await database.db
      .selectFrom("ops_importjob")
      .select(["failure_code", "retryable"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(reaped).toEqual({ failure_code: "STUCK_JOB_REAPED", retryable: true });

    const run = await importctl("retry", id, "--wait", "--json");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const job = jsonOf<JobJson>(run);
    expect(job).toMatchObject({ id, status: "success", failure: null });
    expect(job.result).toMatchObject({ products: { create: 14 }, variants: { create: 27 } });

    // The same queue work as the API's: commit-<id>-<attempt>, carrying the request id.
    const producer = createProducerConnection(redisUrl);
    const queues = createImportQueues(producer, system.env.QUEUE_PREFIX ?? "");
    try {
      const queued = await queues.commit.getJob(`commit-${id}-2`);
      expect(queued?.data).toEqual({
        importId: id,
        requestId: expect.stringMatching(/^importctl-/),
      });
      const requestId = (queued?.data as { requestId?: string } | undefined)?.requestId;
      const workerLines = system.workers[0]?.logLines() ?? [];
      expect(
        workerLines.some(
          (line) => line.request_id === requestId && line.msg === "commit work finished",
        ),
      ).toBe(true);
    } finally {
      await closeImportQueues(queues);
      producer.disconnect();
    }

    // A second retry of a job that succeeded is refused exactly as the API refuses it.
    const again = await importctl("retry", id, "--json");
    expect(again.status).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual(
      (await apiAnswer(`/api/admin/import-jobs/${id}/commit/`, { allow_partial: false })).body,
    );

    // Revert it back, through the API's revert path.
    const reverted = await importctl("revert", id, "--wait", "--json");
    expect(reverted.status).toBe(0);
    expect(jsonOf<JobJson>(reverted)).toMatchObject({ id, status: "reverted" });
    const products = await database.db
      .selectFrom("catalog_product")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(products.n)).toBe(0);
    // And reverting a reverted job is refused as the API refuses it.
    const twice = await importctl("revert", id, "--json");
    expect(twice.status).toBe(1);
    expect(JSON.parse(twice.stdout)).toEqual(
      (await apiAnswer(`/api/admin/import-jobs/${id}/revert/`)).body,
    );
  });

  it("refuses what the API refuses, with the same codes and messages", async () => {
    const failedValidation = await validated("06_missing_column.csv", "strict");
    const notRetryable = await importctl("retry", failedValidation, "--json");
    expect(notRetryable.status).toBe(1);
    const api409 = await apiAnswer(`/api/admin/import-jobs/${failedValidation}/commit/`, {
      allow_partial: false,
    });
    expect(api409.status).toBe(409);
    expect(JSON.parse(notRetryable.stdout)).toEqual(api409.body);

    const withErrors = await validated("03_turkish.csv", "smart");
    const unprocessable = await importctl("retry", withErrors, "--json");
    expect(unprocessable.status).toBe(1);
    const api422 = await apiAnswer(`/api/admin/import-jobs/${withErrors}/commit/`, {
      allow_partial: false,
    });
    expect(api422.status).toBe(422);
    expect(JSON.parse(unprocessable.stdout)).toEqual(api422.body);
    expect(JSON.parse(unprocessable.stdout)).toMatchObject({ error: { code: "UNPROCESSABLE" } });

    const notCommitted = await importctl("revert", withErrors);
    expect(notCommitted.status).toBe(1);
    expect(notCommitted.stderr).toContain(
      "Refused (INVALID_STATE): A validated job cannot be reverted",
    );

    // Redis unreachable: refused UNAVAILABLE, and the request is given back.
    const before = await database.db
      .selectFrom("ops_importjob")
      .select(["commit_attempts", "commit_requested_at"])
      .where("id", "=", withErrors)
      .executeTakeFirstOrThrow();
    const closedPort = await freePort();
    const unavailable = await importctlRunner(() => ({
      databaseUrl: database.url,
      bucket: system.store.bucket,
      env: { REDIS_URL: `redis://127.0.0.1:${closedPort}`, QUEUE_PREFIX: "{unused}" },
    }))("retry", withErrors, "--allow-partial", "--json");
    expect(unavailable.status).toBe(1);
    expect(JSON.parse(unavailable.stdout)).toMatchObject({ error: { code: "UNAVAILABLE" } });
    const after = await database.db
      .selectFrom("ops_importjob")
      .select(["commit_attempts", "commit_requested_at"])
      .where("id", "=", withErrors)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);

    // With --allow-partial it goes through and the valid rows are applied.
    const partial = await importctl("retry", withErrors, "--allow-partial", "--wait");
    expect(partial.status).toBe(0);
    expect(partial.stdout).toContain(`Job ${withErrors} is partial.`);
  });
});
