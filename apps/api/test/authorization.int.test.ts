/**
 * The authorization matrix: every route × (no token, unknown token, revoked
 * token, viewer, importer, admin) answers exactly the expected status. Each call
 * gets a job in a state where the route would succeed, so a 2xx proves the role
 * was let through and a 401/403 proves it was stopped before acting.
 */
import { putObject } from "@catalog/storage";
import {
  type Caller,
  csvBytes,
  insertJob,
  readError,
  startTestApi,
  type TestApi,
  uploadForm,
} from "./support/test-api";

interface RouteCase {
  name: string;
  /** Builds a fresh request (fresh job) for one call. */
  request(api: TestApi): Promise<{ method: string; path: string; body?: FormData | string }>;
  /** Status for viewer, importer, admin. */
  allowed: Record<"viewer" | "importer" | "admin", number>;
}

const BASE = "/api/admin/import-jobs";
const JSON_BODY = JSON.stringify({ allow_partial: false });

const ROUTES: RouteCase[] = [
  {
    name: "GET list",
    request: async () => ({ method: "GET", path: `${BASE}/` }),
    allowed: { viewer: 200, importer: 200, admin: 200 },
  },
  {
    name: "POST validate",
    request: async () => ({
      method: "POST",
      path: `${BASE}/validate/`,
      body: uploadForm([["file", csvBytes(200), "matrix.csv"]]),
    }),
    allowed: { viewer: 403, importer: 202, admin: 202 },
  },
  {
    name: "GET job",
    request: async (api) => ({ method: "GET", path: `${BASE}/${(await insertJob(api.db)).id}/` }),
    allowed: { viewer: 200, importer: 200, admin: 200 },
  },
  {
    name: "GET issues",
    request: async (api) => ({
      method: "GET",
      path: `${BASE}/${(await insertJob(api.db)).id}/issues/`,
    }),
    allowed: { viewer: 200, importer: 200, admin: 200 },
  },
  {
    name: "GET changes",
    request: async (api) => ({
      method: "GET",
      path: `${BASE}/${(await insertJob(api.db)).id}/changes/`,
    }),
    allowed: { viewer: 200, importer: 200, admin: 200 },
  },
  {
    name: "GET deliveries",
    request: async (api) => ({
      method: "GET",
      path: `${BASE}/${(await insertJob(api.db)).id}/deliveries/`,
    }),
    allowed: { viewer: 200, importer: 200, admin: 200 },
  },
  {
    name: "POST cancel",
    request: async (api) => ({
      method: "POST",
      path: `${BASE}/${(await insertJob(api.db, { status: "pending" })).id}/cancel/`,
    }),
    allowed: { viewer: 403, importer: 200, admin: 200 },
  },
  {
    name: "GET report",
    request: async (api) => {
      const job = await insertJob(api.db, { status: "validated" });
      const report = await putObject(api.store, `reports/${job.id}.xlsx`, Buffer.from("PK"), "x");
      await api.db
        .updateTable("ops_importjob")
        .set({ report_key: report.key, report_status: "ready" })
        .where("id", "=", job.id)
        .execute();
      return { method: "GET", path: `${BASE}/${job.id}/report/` };
    },
    allowed: { viewer: 200, importer: 200, admin: 200 },
  },
  {
    name: "POST commit",
    request: async (api) => {
      const job = await insertJob(api.db, { status: "validated", error_count: 0 });
      return { method: "POST", path: `${BASE}/${job.id}/commit/`, body: JSON_BODY };
    },
    allowed: { viewer: 403, importer: 202, admin: 202 },
  },
  {
    name: "POST revert",
    request: async (api) => {
      const job = await insertJob(api.db, { status: "success" });
      return { method: "POST", path: `${BASE}/${job.id}/revert/` };
    },
    allowed: { viewer: 403, importer: 403, admin: 202 },
  },
  {
    name: "POST revalidate",
    request: async (api) => {
      const job = await insertJob(api.db, { status: "failed" });
      await putObject(api.store, job.input_key, csvBytes(10), "text/csv");
      return { method: "POST", path: `${BASE}/${job.id}/revalidate/` };
    },
    allowed: { viewer: 403, importer: 202, admin: 202 },
  },
  {
    name: "GET me",
    request: async () => ({ method: "GET", path: "/api/admin/me/" }),
    allowed: { viewer: 200, importer: 200, admin: 200 },
  },
  {
    name: "GET health",
    request: async () => ({ method: "GET", path: "/api/admin/health/" }),
    allowed: { viewer: 200, importer: 200, admin: 200 },
  },
];

const CALLERS: Caller[] = ["none", "unknown", "revoked", "viewer", "importer", "admin"];

describe("authorization matrix", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  const cases = ROUTES.flatMap((route) =>
    CALLERS.map((caller) => {
      const expected =
        caller === "none" || caller === "unknown" || caller === "revoked"
          ? 401
          : route.allowed[caller];
      return [route.name, caller, expected, route] as const;
    }),
  );

  it.each(cases)("%s as %s → %i", async (_name, caller, expected, route) => {
    const { method, path, body } = await route.request(api);
    const headers: Record<string, string> = { ...api.auth(caller) };
    if (typeof body === "string") headers["content-type"] = "application/json";
    const response = await fetch(`${api.url}${path}`, { method, headers, body });
    expect(response.status).toBe(expected);
    if (expected === 401 || expected === 403) {
      const error = await readError(response);
      expect(error.code).toBe(expected === 401 ? "UNAUTHENTICATED" : "FORBIDDEN");
    }
    if (expected === 401) expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it.each(["/healthz", "/readyz", "/metrics", "/api/openapi.json", "/", "/assets/js/main.js"])(
    "serves %s without a token",
    async (path) => {
      expect((await fetch(`${api.url}${path}`)).status).toBe(200);
    },
  );

  it("records a token's last use, at most once a minute", async () => {
    const read = () =>
      api.db
        .selectFrom("ops_api_token")
        .select("last_used_at")
        .where("email", "=", "viewer@example.com")
        .executeTakeFirstOrThrow();
    await fetch(`${api.url}${BASE}/`, { headers: api.auth("viewer") });
    const first = (await read()).last_used_at;
    expect(first).toBeInstanceOf(Date);
    await fetch(`${api.url}${BASE}/`, { headers: api.auth("viewer") });
    expect((await read()).last_used_at).toEqual(first);
  });
});
