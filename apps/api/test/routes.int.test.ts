/**
 * The read routes and the API's edges: trailing slash optional on every route,
 * list filters and pagination, issues, the report download, the JSON error
 * shape for unknown routes, wrong methods and malformed bodies, and the OpenAPI
 * document covering every mounted route.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { JobResource } from "@catalog/jobs";
import { putObject } from "@catalog/storage";
import type { Express } from "express";
import {
  csvBytes,
  EMAIL,
  insertJob,
  readError,
  readJob,
  readJson,
  startTestApi,
  type TestApi,
  uploadForm,
} from "./support/test-api";

const BASE = "/api/admin/import-jobs";

interface IssuePage {
  items: unknown[];
  total: number;
  limit: number;
  offset: number;
}

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, { properties: { error: { required: string[] } } }> };
}

/** `{method, path}` of every route mounted on `app`, read from Express's router stack. */
function mountedRoutes(app: Express): { method: string; path: string }[] {
  type Layer = {
    route?: { path: string; methods: Record<string, boolean> };
    handle?: { stack?: Layer[] };
  };
  const routes: { method: string; path: string }[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== "_all") routes.push({ method, path: layer.route.path });
        }
      } else if (layer.handle?.stack) {
        // Every router is mounted at "/" with full paths, so nesting adds no prefix.
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return routes;
}

describe("import-job routes", () => {
  let api: TestApi;
  const get = (path: string, caller: "viewer" | "importer" | "admin" = "viewer") =>
    fetch(`${api.url}${path}`, { headers: api.auth(caller) });

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  describe("trailing slash", () => {
    const both = (path: string) => [path, `${path}/`];

    it.each(both(BASE))("GET %s lists", async (path) => {
      expect((await get(path)).status).toBe(200);
    });

    it.each(both(`${BASE}/validate`))("POST %s uploads", async (path) => {
      const response = await fetch(`${api.url}${path}`, {
        method: "POST",
        headers: api.auth("importer"),
        body: uploadForm([["file", csvBytes(123), "slash.csv"]]),
      });
      expect(response.status).toBe(202);
    });

    it.each(["", "/issues", "/report"])("GET <id>%s with and without the slash", async (suffix) => {
      const job = await insertJob(api.db, { status: "validated" });
      const report = await putObject(api.store, `reports/${job.id}.xlsx`, Buffer.from("x"), "x");
      await api.db
        .updateTable("ops_importjob")
        .set({ report_key: report.key, report_status: "ready" })
        .where("id", "=", job.id)
        .execute();
      for (const path of both(`${BASE}/${job.id}${suffix}`)) {
        expect((await get(path)).status).toBe(200);
      }
    });

    it.each([
      ["commit", "importer", { status: "validated", error_count: 0 }],
      ["revert", "admin", { status: "success" }],
      ["revalidate", "importer", { status: "failed" }],
    ] as const)("POST <id>/%s with and without the slash", async (action, caller, state) => {
      for (const slash of ["", "/"]) {
        const job = await insertJob(api.db, state);
        await putObject(api.store, job.input_key, csvBytes(10), "text/csv");
        const response = await fetch(`${api.url}${BASE}/${job.id}/${action}${slash}`, {
          method: "POST",
          headers: api.auth(caller),
        });
        expect(response.status).toBe(202);
      }
    });
  });

  describe("GET list", () => {
    let hash: string;
    beforeAll(async () => {
      await api.db.deleteFrom("catalog_media").execute();
      await api.db.deleteFrom("ops_importjob").execute();
      const old = new Date("2020-01-01T00:00:00Z");
      hash = "a".repeat(64);
      await insertJob(api.db, {
        status: "failed",
        mode: "smart",
        created_at: old,
        file_hash: hash,
      });
      await insertJob(api.db, { status: "validated", created_by: EMAIL.admin });
      await insertJob(api.db, { status: "validated", mode: "smart" });
    });

    const list = async (query: string) => {
      const response = await get(`${BASE}/?${query}`);
      expect(response.status).toBe(200);
      return readJson<{
        items: JobResource[];
        total: number;
        limit: number;
        offset: number;
        next: string | null;
      }>(response);
    };

    it("pages newest first with the total", async () => {
      const page = await list("limit=2&offset=0");
      expect(page).toMatchObject({ total: 3, limit: 2, offset: 0 });
      expect(page.items).toHaveLength(2);
      const rest = await list("limit=2&offset=2");
      expect(rest.items).toHaveLength(1);
      expect(rest.items[0]?.file_hash).toBe(hash);
    });

    it("filters by status, mode, created_by, file_hash and created_after", async () => {
      expect((await list("status=validated")).total).toBe(2);
      expect((await list("mode=smart")).total).toBe(2);
      expect((await list("status=validated&mode=smart")).total).toBe(1);
      expect((await list(`created_by=${EMAIL.admin}`)).total).toBe(1);
      expect((await list(`file_hash=${hash.toUpperCase()}`)).total).toBe(1);
      expect((await list("created_after=2021-01-01")).total).toBe(2);
      expect((await list("created_after=2019-12-31T23:00:00Z")).total).toBe(3);
    });

    it("filters by several statuses, created_before, and both ends of a window", async () => {
      expect((await list("status=failed&status=validated")).total).toBe(3);
      expect((await list("status=failed&status=pending")).total).toBe(1);
      expect((await list("created_before=2021-01-01")).total).toBe(1);
      expect((await list("created_before=2021-01-01&status=validated")).total).toBe(0);
      const now = new Date(Date.now() + 60_000).toISOString();
      expect((await list(`created_after=2019-12-31&created_before=${now}`)).total).toBe(3);
    });

    it("pages by cursor: `next` links walk every job once, newest first, keeping the filters", async () => {
      const first = await list("limit=1&status=failed&status=validated");
      const seen = [...first.items];
      let next = first.next;
      expect(next).toContain("status=failed&status=validated");
      while (next) {
        const response = await fetch(next, { headers: api.auth("viewer") });
        expect(response.status).toBe(200);
        const page = await readJson<{ items: JobResource[]; next: string | null }>(response);
        seen.push(...page.items);
        next = page.next;
      }
      expect(seen.map((job) => job.id)).toEqual((await list("limit=10")).items.map((j) => j.id));
      expect(new Set(seen.map((job) => job.id)).size).toBe(3);
      // A job added while paging does not shift the pages after the cursor.
      const page1 = await list("limit=2");
      await insertJob(api.db, { status: "pending" });
      const cursor = new URL(page1.next ?? "").searchParams.get("cursor");
      const page2 = await list(`limit=2&cursor=${cursor}`);
      expect(page2.items.map((job) => job.id)).toEqual([(await list("limit=4")).items[3]?.id]);
      await api.db.deleteFrom("ops_importjob").where("status", "=", "pending").execute();
    });

    it("refuses a cursor together with an offset", async () => {
      const page = await list("limit=1");
      const response = await get(`${page.next}&offset=1`.replace(api.url, ""));
      expect(response.status).toBe(400);
    });

    it.each([
      "status=finished",
      "mode=lenient",
      "file_hash=abc",
      "created_after=yesterday",
      "limit=0",
      "limit=501",
      "offset=-1",
      "stauts=failed",
      "status=failed&status=finished",
      "created_before=tomorrow",
      "cursor=abc",
      "cursor=not-base64-of-a-job!",
      `cursor=${Buffer.from("00000000-0000-4000-8000-000000000000").toString("base64url")}`,
    ])("refuses ?%s with 400", async (query) => {
      const response = await get(`${BASE}/?${query}`);
      expect(response.status).toBe(400);
      expect((await readError(response)).code).toBe("BAD_REQUEST");
    });
  });

  describe("GET job, issues, report", () => {
    it("answers 404 for an unknown job and 400 for an id that is not a UUID", async () => {
      const unknown = await get(`${BASE}/7b0c1f8e-3a53-4a48-9d8e-0c6d1c1b2a90/`);
      expect(unknown.status).toBe(404);
      expect((await readError(unknown)).code).toBe("NOT_FOUND");
      for (const suffix of ["/", "/issues/", "/report/"]) {
        const bad = await get(`${BASE}/not-a-uuid${suffix}`);
        expect(bad.status).toBe(400);
        expect((await readError(bad)).code).toBe("BAD_REQUEST");
      }
    });

    it("shows the job resource", async () => {
      const job = await insertJob(api.db, { status: "pending" });
      const body = await readJob(await get(`${BASE}/${job.id}`));
      expect(body).toMatchObject({ id: job.id, status: "pending", failure: null, summary: null });
      expect(body.links.self).toBe(`${api.url}${BASE}/${job.id}/`);
    });

    it("serves the report only when ready: 409 REPORT_NOT_READY with Retry-After while pending (also after a commit), 409 REPORT_FAILED, 404 without one", async () => {
      const none = await insertJob(api.db, { status: "validating" });
      const missing = await get(`${BASE}/${none.id}/report/`);
      expect([missing.status, (await readError(missing)).code]).toEqual([404, "NOT_FOUND"]);

      // Validated, its report being built.
      const job = await insertJob(api.db, {
        status: "validated",
        report_status: "pending",
        report_generation: 1,
        report_requested_at: new Date(),
      });
      const pending = await get(`${BASE}/${job.id}/report/`);
      expect(pending.status).toBe(409);
      expect(pending.headers.get("retry-after")).toBe("5");
      expect(await readError(pending)).toMatchObject({
        code: "REPORT_NOT_READY",
        details: { status: "validated", report_status: "pending", retry_after_s: 5 },
      });
      expect(await readJob(await get(`${BASE}/${job.id}/`))).toMatchObject({
        report_status: "pending",
        report_ready_at: null,
      });

      // Ready: the bytes.
      const stored = await putObject(api.store, `reports/${job.id}.xlsx`, Buffer.from("PK1"), "x");
      await api.db
        .updateTable("ops_importjob")
        .set({ report_key: stored.key, report_status: "ready", report_ready_at: new Date() })
        .where("id", "=", job.id)
        .execute();
      const ready = await get(`${BASE}/${job.id}/report/`);
      expect(ready.status).toBe(200);
      expect(Buffer.from(await ready.arrayBuffer()).toString()).toBe("PK1");
      expect((await readJob(await get(`${BASE}/${job.id}/`))).report_ready_at).not.toBeNull();

      // Committed: the validation's report is still stored, but the result's is pending.
      await api.db
        .updateTable("ops_importjob")
        .set({ status: "success", report_status: "pending", report_generation: 2 })
        .where("id", "=", job.id)
        .execute();
      const afterCommit = await get(`${BASE}/${job.id}/report/`);
      expect(afterCommit.status).toBe(409);
      expect((await readError(afterCommit)).code).toBe("REPORT_NOT_READY");

      await api.db
        .updateTable("ops_importjob")
        .set({ report_status: "failed" })
        .where("id", "=", job.id)
        .execute();
      const failed = await get(`${BASE}/${job.id}/report/`);
      expect(failed.status).toBe(409);
      expect(failed.headers.get("retry-after")).toBeNull();
      expect((await readError(failed)).code).toBe("REPORT_FAILED");
    });

    it("pages and filters the issues; a job without a report has none", async () => {
      const issues = [
        {
          row: 2,
          column: "price",
          code: "INVALID_PRICE",
          severity: "error",
          message: "m",
          value: "x",
        },
        {
          row: 3,
          column: "price",
          code: "INVALID_PRICE",
          severity: "error",
          message: "m",
          value: "y",
        },
        {
          row: 3,
          column: "title_en",
          code: "MISSING_TITLE",
          severity: "warning",
          message: "m",
          value: null,
        },
        { row: 5, column: "slug", code: "BAD_SLUG", severity: "error", message: "m", value: "Ä" },
        {
          row: 7,
          column: "price",
          code: "INVALID_PRICE",
          severity: "error",
          message: "m",
          value: "z",
        },
      ];
      const job = await insertJob(api.db, {
        status: "validated",
        report_json: JSON.stringify({ summary: {}, issues }),
      });
      const page = async (query: string) =>
        readJson<IssuePage>(await get(`${BASE}/${job.id}/issues/?${query}`));

      expect(await page("")).toEqual({ items: issues, total: 5, limit: 100, offset: 0 });
      expect(await page("severity=warning")).toMatchObject({ items: [issues[2]], total: 1 });
      const byCode = await page("code=INVALID_PRICE&limit=2&offset=1");
      expect(byCode).toEqual({ items: [issues[1], issues[4]], total: 3, limit: 2, offset: 1 });
      expect(await page("severity=error&code=BAD_SLUG")).toMatchObject({ total: 1 });
      expect(await page("column=price")).toMatchObject({
        items: [issues[0], issues[1], issues[4]],
        total: 3,
      });
      expect(await page("column=title_en&severity=warning")).toMatchObject({
        items: [issues[2]],
        total: 1,
      });
      expect(await page("column=price&code=BAD_SLUG")).toMatchObject({ items: [], total: 0 });
      expect((await get(`${BASE}/${job.id}/issues/?severity=fatal`)).status).toBe(400);
      expect((await get(`${BASE}/${job.id}/issues/?limit=10001`)).status).toBe(400);
      expect((await page("limit=10000")).limit).toBe(10_000);

      const fresh = await insertJob(api.db);
      expect(await readJson(await get(`${BASE}/${fresh.id}/issues/`))).toEqual({
        items: [],
        total: 0,
        limit: 100,
        offset: 0,
      });
    });

    it("streams the report XLSX as an attachment, and 404s before there is one", async () => {
      const job = await insertJob(api.db, { status: "validated" });
      expect((await get(`${BASE}/${job.id}/report/`)).status).toBe(404);

      const bytes = Buffer.concat([Buffer.from("PK\x03\x04"), csvBytes(300_000)]);
      const key = `reports/import_report_${job.id}.xlsx`;
      await putObject(api.store, key, bytes, "application/octet-stream");
      await api.db
        .updateTable("ops_importjob")
        .set({ report_key: key, report_status: "ready" })
        .where("id", "=", job.id)
        .execute();
      const response = await get(`${BASE}/${job.id}/report/`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      );
      expect(response.headers.get("content-disposition")).toBe(
        `attachment; filename="import_report_${job.id}.xlsx"`,
      );
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);

      // The key is recorded but the object is gone: still a 404, not a 500.
      await api.db
        .updateTable("ops_importjob")
        .set({ report_key: `${key}.missing` })
        .where("id", "=", job.id)
        .execute();
      expect((await get(`${BASE}/${job.id}/report/`)).status).toBe(404);
    });
  });

  describe("errors are JSON", () => {
    it("answers an unknown route with 404", async () => {
      const response = await get("/api/admin/nothing-here");
      expect(response.status).toBe(404);
      expect(await readJson(response)).toEqual({
        error: { code: "NOT_FOUND", message: expect.any(String) },
      });
    });

    it("answers a wrong method on a known path with 405 and Allow", async () => {
      const response = await fetch(`${api.url}${BASE}/`, {
        method: "DELETE",
        headers: api.auth("admin"),
      });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, HEAD");
      expect((await readError(response)).code).toBe("METHOD_NOT_ALLOWED");
      const upload = await get(`${BASE}/validate/`);
      expect(upload.status).toBe(405);
      expect(upload.headers.get("allow")).toBe("POST");
    });

    it("answers malformed JSON and a bad commit body with 400", async () => {
      const job = await insertJob(api.db, { status: "validated", error_count: 0 });
      for (const body of ["{nope", '{"allow_partial": "yes"}', '{"allowPartial": true}', "[]"]) {
        const response = await fetch(`${api.url}${BASE}/${job.id}/commit/`, {
          method: "POST",
          headers: { ...api.auth("importer"), "content-type": "application/json" },
          body,
        });
        expect(response.status).toBe(400);
        expect((await readError(response)).code).toBe("BAD_REQUEST");
      }
    });
  });

  describe("OpenAPI", () => {
    it("describes every mounted route, and only those", async () => {
      const response = await fetch(`${api.url}/api/openapi.json`);
      expect(response.status).toBe(200);
      const document = await readJson<OpenApi>(response);
      expect(document.openapi).toBe("3.1.0");
      const toOpenApiPath = (path: string) =>
        path.replace(/:([A-Za-z_]+)/g, "{$1}").replace(/\/$/, "") || "/";
      const documented = Object.entries(document.paths as Record<string, object>)
        .flatMap(([path, operations]) =>
          Object.keys(operations).map((method) => `${method} ${toOpenApiPath(path)}`),
        )
        .sort();
      const mounted = mountedRoutes(api.app)
        .map(({ method, path }) => `${method} ${toOpenApiPath(path)}`)
        .sort();
      expect(mounted.length).toBeGreaterThanOrEqual(12);
      expect(documented).toEqual(mounted);
    });

    it("serves the committed openapi.json (the client's contract), naming this server", async () => {
      const served = await readJson<{ servers: unknown }>(
        await fetch(`${api.url}/api/openapi.json`),
      );
      expect(served.servers).toEqual([{ url: api.url }]);
      const committed = JSON.parse(
        readFileSync(path.resolve(__dirname, "../../../packages/client/openapi.json"), "utf8"),
      );
      expect({ ...served, servers: committed.servers }).toEqual(committed);
    });

    it("documents the Idempotency-Key pattern and created_after formats the routes validate with", async () => {
      const document = await readJson<OpenApi>(await fetch(`${api.url}/api/openapi.json`));
      const upload = document.paths["/api/admin/import-jobs/validate/"]?.post as {
        parameters: { name: string; schema: { pattern?: string } }[];
      };
      const header = upload.parameters.find((p) => p.name === "Idempotency-Key");
      const pattern = new RegExp(header?.schema.pattern ?? "^$");
      expect(pattern.test('"abc"')).toBe(true);
      expect(pattern.test("x".repeat(256))).toBe(false);
      const list = document.paths["/api/admin/import-jobs/"]?.get as {
        parameters: { name: string; schema: { anyOf?: { format: string }[] } }[];
      };
      const createdAfter = list.parameters.find((p) => p.name === "created_after");
      expect(createdAfter?.schema.anyOf?.map((s) => s.format)).toEqual(["date", "date-time"]);
    });

    it("references only schemas it defines, and the error shape", async () => {
      const document = await readJson<OpenApi>(await fetch(`${api.url}/api/openapi.json`));
      const refs = [...JSON.stringify(document).matchAll(/"#\/components\/schemas\/(\w+)"/g)];
      for (const [, name] of refs) expect(Object.keys(document.components.schemas)).toContain(name);
      expect(document.components.schemas.Error?.properties.error.required).toEqual([
        "code",
        "message",
      ]);
    });
  });
});
