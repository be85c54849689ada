/**
 * The process harness itself: a whole system of real processes (S3 in its own
 * process, an own redis-server, the API, two workers) takes an upload through
 * validate and commit over HTTP, survives a frozen S3 and a Redis restart as a
 * harness must let tests inject them, and stops with no unexpected exit.
 */
import {
  createTestDatabase,
  type RunningSystem,
  readFixture,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe("startSystem", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let token: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    system = await startSystem({ databaseUrl: database.url, db: database.db });
    token = await system.token("importer");
  });

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
  });

  async function job(id: string): Promise<{ status: string; failure: unknown }> {
    const response = await fetch(`${system.apiUrl}/api/admin/import-jobs/${id}/`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { status: string; failure: unknown };
  }

  async function waitForStatus(id: string, statuses: string[]): Promise<string> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const { status } = await job(id);
      if (statuses.includes(status)) return status;
      await sleep(200);
    }
    throw new Error(`Job ${id} never reached ${statuses.join("/")}`);
  }

  it("validates and commits an upload through the API and two worker processes", async () => {
    expect(system.workers).toHaveLength(2);
    expect(new Set(system.workers.map((worker) => worker.pid)).size).toBe(2);
    const form = new FormData();
    form.set("mode", "smart");
    form.set("file", new Blob([await readFixture("01_base.xlsx")]), "01_base.xlsx");
    const upload = await fetch(`${system.apiUrl}/api/admin/import-jobs/validate/`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(upload.status).toBe(202);
    const { id } = (await upload.json()) as { id: string };
    expect(await waitForStatus(id, ["validated", "failed"])).toBe("validated");

    const commit = await fetch(`${system.apiUrl}/api/admin/import-jobs/${id}/commit/`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ allow_partial: false }),
    });
    expect(commit.status).toBe(202);
    expect(await waitForStatus(id, ["success", "failed"])).toBe("success");
    const variants = await database.db
      .selectFrom("catalog_variant")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(variants.n)).toBe(27);
  });

  it("freezes and resumes the S3 process", async () => {
    system.s3.freeze();
    const frozen = await fetch(`${system.s3.endpoint}/`, {
      signal: AbortSignal.timeout(1_000),
    }).then(
      () => "answered",
      () => "no answer",
    );
    system.s3.resume();
    expect(frozen).toBe("no answer");
    const resumed = await fetch(`${system.s3.endpoint}/`, { signal: AbortSignal.timeout(5_000) });
    expect(resumed.status).toBeLessThan(500);
  });

  it("restarts its own Redis empty, on the same port", async () => {
    const redis = system.redis;
    if (!redis) throw new Error("the system should run its own redis-server");
    const before = redis.process.pid;
    await redis.restart();
    expect(redis.process.pid).not.toBe(before);
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
  });

  it("records no unexpected exit, and records a kill nobody announced", async () => {
    expect(system.unexpectedExits()).toEqual([]);
    const worker = system.workers[0];
    if (!worker) throw new Error("no worker");
    process.kill(worker.pid, "SIGKILL");
    await worker.exited;
    expect(system.unexpectedExits().map((managed) => managed.name)).toEqual([worker.name]);
  });
});
