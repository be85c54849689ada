/**
 * What the operator console needs from the API besides the job routes: who the
 * token is (`/api/admin/me/`), the health report (`/api/admin/health/`, from
 * real jobs in Postgres and real queue work in Redis), and the console's static
 * files at `/` with their Content-Security-Policy.
 */
import { createHash } from "node:crypto";
import {
  EMAIL,
  insertJob,
  readError,
  readJson,
  startTestApi,
  type TestApi,
} from "./support/test-api";

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

describe("console and admin routes", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it("tells each token its email and role", async () => {
    for (const role of ["viewer", "importer", "admin"] as const) {
      const response = await fetch(`${api.url}/api/admin/me/`, { headers: api.auth(role) });
      expect(response.status).toBe(200);
      expect(await readJson(response)).toEqual({ email: EMAIL[role], role });
    }
  });

  it("reports queue depths, the last 24 hours by status, stuck jobs and recent failures", async () => {
    const stuck = await insertJob(api.db, {
      status: "validating",
      created_at: hoursAgo(2),
      updated_at: hoursAgo(2),
      heartbeat_at: hoursAgo(1),
      report_json: JSON.stringify({ issues: [] }),
    });
    await insertJob(api.db, { status: "validating", heartbeat_at: new Date() });
    const failed = await insertJob(api.db, {
      status: "failed",
      failure_code: "VALIDATION_TIMEOUT",
      failure_message: "took too long",
    });
    await insertJob(api.db, {
      status: "failed",
      failure_code: "UNSUPPORTED_FILE",
      created_at: hoursAgo(48),
      updated_at: hoursAgo(48),
    });
    // Two pieces of validate work nobody consumes (no worker on this prefix).
    await api.queues.validate.add("validate", { importId: stuck.id }, { jobId: "health-1" });
    await api.queues.validate.add("validate", { importId: failed.id }, { jobId: "health-2" });

    const response = await fetch(`${api.url}/api/admin/health/`, { headers: api.auth("viewer") });
    expect(response.status).toBe(200);
    const health = await readJson<{
      queues: Record<string, Record<string, number>>;
      last_24h: Record<string, number>;
      failures_by_code: Record<string, number>;
      stuck_after_s: number;
      stuck: Record<string, unknown>[];
      recent_failures: Record<string, unknown>[];
    }>(response);
    expect(health.queues).toEqual({
      validate: { waiting: 2, active: 0, delayed: 0, failed: 0 },
      commit: { waiting: 0, active: 0, delayed: 0, failed: 0 },
      revert: { waiting: 0, active: 0, delayed: 0, failed: 0 },
      report: { waiting: 0, active: 0, delayed: 0, failed: 0 },
    });
    expect(health.last_24h).toEqual({ validating: 2, failed: 1 });
    expect(health.failures_by_code).toEqual({ VALIDATION_TIMEOUT: 1 });
    expect(health.stuck_after_s).toBe(1_800);
    expect(health.stuck.map((job) => job.id)).toEqual([stuck.id]);
    // Only the columns an operator needs: never the report JSON.
    expect(Object.keys(health.stuck[0] ?? {}).sort()).toEqual([
      "created_at",
      "created_by",
      "failure_code",
      "failure_message",
      "file_name",
      "id",
      "status",
      "updated_at",
    ]);
    expect(health.recent_failures).toEqual([
      expect.objectContaining({
        id: failed.id,
        status: "failed",
        failure_code: "VALIDATION_TIMEOUT",
        failure_message: "took too long",
      }),
    ]);
  });

  it("serves the console page with a CSP that allows its import map by hash and nothing inline else", async () => {
    const response = await fetch(`${api.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain('<script type="module" src="/assets/js/main.js"></script>');
    const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? "";
    expect(JSON.parse(importMap).imports.preact).toBe("/assets/vendor/preact.mjs");
    const hash = createHash("sha256").update(importMap).digest("base64");
    const policy = response.headers.get("content-security-policy") ?? "";
    expect(policy).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it.each([
    "/assets/js/main.js",
    "/assets/vendor/preact.mjs",
    "/assets/vendor/hooks.mjs",
    "/assets/vendor/htm.mjs",
  ])("serves the module %s as JavaScript", async (path) => {
    const response = await fetch(`${api.url}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^(text|application)\/javascript/);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect((await response.text()).length).toBeGreaterThan(100);
  });

  it.each([
    "/assets/vendor/react.mjs",
    "/assets/js/nothing.js",
    "/assets/..%2f..%2fpackage.json",
    "/..%2fsrc%2fmain.ts",
  ])("answers %s with the JSON 404, never a file outside the console", async (path) => {
    const response = await fetch(`${api.url}${path}`);
    expect(response.status).toBe(404);
    expect((await readError(response)).code).toBe("NOT_FOUND");
  });
});
