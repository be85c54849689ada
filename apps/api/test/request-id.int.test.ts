/**
 * A request's id follows its work: the API process writes one access-log line
 * per request with the id, returns it in `X-Request-Id`, and the worker process
 * that runs the job the request created (or the commit it asked for) tags its
 * log lines with the same id. Real processes (the system harness), real logs.
 */
import { randomBytes } from "node:crypto";
import {
  createTestDatabase,
  type RunningSystem,
  readFixture,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";

jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe("request ids", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let token: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    system = await startSystem({ databaseUrl: database.url, db: database.db, workers: 1 });
    token = await system.token("importer");
  });
  afterAll(async () => {
    await system?.stop();
    await database?.drop();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${system.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });

  async function waitForStatus(id: string, status: string): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const job = (await (await api(`/api/admin/import-jobs/${id}/`)).json()) as {
        status: string;
      };
      if (job.status === status) return;
      await sleep(200);
    }
    throw new Error(`Job ${id} never reached ${status}`);
  }

  /** Log lines of `process` whose fields include `fields`. */
  const linesWith = (lines: Record<string, unknown>[], fields: Record<string, unknown>) =>
    lines.filter((line) => Object.entries(fields).every(([key, value]) => line[key] === value));

  it("appears in the access log line, the response header and the log lines of the job it created", async () => {
    const requestId = `ops-${randomBytes(6).toString("hex")}`;
    const form = new FormData();
    form.set("mode", "smart");
    form.set("file", new Blob([await readFixture("01_base.xlsx")]), "01_base.xlsx");
    const upload = await api("/api/admin/import-jobs/validate/", {
      method: "POST",
      headers: { "x-request-id": requestId },
      body: form,
    });
    expect(upload.status).toBe(202);
    expect(upload.headers.get("x-request-id")).toBe(requestId);
    const { id: jobId } = (await upload.json()) as { id: string };
    await waitForStatus(jobId, "validated");
    await system.api?.waitForOutput(new RegExp(`"request_id":"${requestId}".*"HTTP request"`));

    const apiLines = system.api?.logLines() ?? [];
    const access = linesWith(apiLines, { request_id: requestId, msg: "HTTP request" });
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      route: "/api/admin/import-jobs/validate",
      req: { method: "POST", url: "/api/admin/import-jobs/validate/" },
      res: { status: 202 },
      duration_ms: expect.any(Number),
    });
    const raw = (system.api?.output() ?? "")
      .split("\n")
      .filter(
        (line) => line.includes(`"request_id":"${requestId}"`) && line.includes("HTTP request"),
      );
    expect(raw).toHaveLength(1);
    expect(raw[0]?.match(/"route":/g)).toHaveLength(1);
    // The handler's own line about the job carries it too; no header is logged.
    expect(linesWith(apiLines, { request_id: requestId, job_id: jobId }).length).toBeGreaterThan(0);
    expect(JSON.stringify(apiLines)).not.toContain(token);

    const [worker] = system.workers;
    const jobLines = linesWith(worker?.logLines() ?? [], { job_id: jobId });
    expect(jobLines.map((line) => line.msg)).toContain("Validation finished");
    expect(jobLines.every((line) => line.request_id === requestId)).toBe(true);
    const row = await database.db
      .selectFrom("ops_importjob")
      .select("request_id")
      .where("id", "=", jobId)
      .executeTakeFirstOrThrow();
    expect(row.request_id).toBe(requestId);

    // A commit request without an id gets one made for it, carried the same way.
    const commit = await api(`/api/admin/import-jobs/${jobId}/commit/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ allow_partial: false }),
    });
    expect(commit.status).toBe(202);
    const commitId = commit.headers.get("x-request-id") ?? "";
    expect(commitId).toMatch(/^[0-9a-f-]{36}$/);
    await waitForStatus(jobId, "success");
    await worker?.waitForOutput(
      new RegExp(`"request_id":"${commitId}".*"commit work finished"`),
      10_000,
    );
    const commitLines = linesWith(worker?.logLines() ?? [], { job_id: jobId, phase: "commit" });
    expect(commitLines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(["commit work started", "commit work finished"]),
    );
    expect(commitLines.every((line) => line.request_id === commitId)).toBe(true);
    expect(
      linesWith(system.api?.logLines() ?? [], { request_id: commitId, msg: "HTTP request" }),
    ).toEqual([
      expect.objectContaining({ route: "/api/admin/import-jobs/:id/commit", res: { status: 202 } }),
    ]);
  });

  it("replaces an incoming id that could forge log lines, and logs failed requests as warnings", async () => {
    const response = await fetch(`${system.apiUrl}/api/admin/import-jobs/`, {
      headers: { "x-request-id": "a b\tc" },
    });
    expect(response.status).toBe(401);
    const id = response.headers.get("x-request-id") ?? "";
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // The line is written when the server sees the response finished, maybe after we read it.
    await system.api?.waitForOutput(new RegExp(`"request_id":"${id}"`), 10_000);
    const [line] = linesWith(system.api?.logLines() ?? [], { request_id: id });
    expect(line).toMatchObject({
      level: 40,
      route: "/api/admin/import-jobs",
      res: { status: 401 },
    });
  });

  it("exposes request durations by route template and status on /metrics", async () => {
    await fetch(`${system.apiUrl}/no/such/path`);
    const text = await (await fetch(`${system.apiUrl}/metrics`)).text();
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/api\/admin\/import-jobs\/validate",status_code="202"\} 1/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} 1/,
    );
    // Never the raw URL with an id in it.
    expect(text).not.toMatch(/route="\/api\/admin\/import-jobs\/[0-9a-f]{8}-/);
  });
});
