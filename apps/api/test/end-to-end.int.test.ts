import type { JobResource } from "@catalog/jobs";
import { createLogger, createMetrics } from "@catalog/observability";
import { createWorkerConnection } from "@catalog/queue";
import { readFixture, testRedisUrl, waitForReportReady } from "@catalog/testing";
import type { Worker } from "bullmq";
import ExcelJS from "exceljs";
import { commitImport } from "../../worker/src/handlers/commit-import";
import { reportImport } from "../../worker/src/handlers/report-import";
import { validateImport } from "../../worker/src/handlers/validate-import";
import { startImportWorkers } from "../../worker/src/import-workers";
import { startTestApi, type TestApi, upload, uploadForm } from "./support/test-api";

describe("end to end over HTTP", () => {
  let api: TestApi;
  let workers: Worker[];
  const connection = createWorkerConnection(testRedisUrl());

  beforeAll(async () => {
    api = await startTestApi();
    workers = startImportWorkers(
      { validate: validateImport, commit: commitImport, report: reportImport },
      {
        db: api.db,
        queues: api.queues,
        store: api.store,
        logger: createLogger("e2e-worker", "silent"),
        metrics: createMetrics(),
        limits: {
          maxProducts: 5_000,
          maxVariants: 10_000,
          maxSpecsPerVariant: 50,
          maxUncompressedBytes: 100 * 1024 * 1024,
          validationTimeoutMs: 60_000,
          commitTimeoutMs: 60_000,
        },
      },
      {
        connection,
        prefix: api.queues.validate.opts.prefix ?? "",
        concurrency: { validate: 1, commit: 1, report: 1 },
      },
    );
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    connection.disconnect();
    await api.close();
  });

  const get = (path: string) => fetch(`${api.url}${path}`, { headers: api.auth("viewer") });

  /** The sections of a report's Summary sheet (column B). */
  const sections = (workbook: ExcelJS.Workbook) => {
    const found: unknown[] = [];
    workbook.getWorksheet("Summary")?.eachRow((row) => {
      found.push((row.values as unknown[])[1]);
    });
    return found;
  };

  async function waitFor(
    id: string,
    statuses: string[],
    also: (job: JobResource) => boolean = () => true,
  ): Promise<JobResource> {
    for (let i = 0; i < 300; i++) {
      const job = (await (await get(`/api/admin/import-jobs/${id}/`)).json()) as JobResource;
      if (statuses.includes(job.status) && also(job)) return job;
      await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`job ${id} never reached ${statuses.join("/")}`);
  }

  it("uploads, validates, commits with the preview's counts, and serves the report", async () => {
    const bytes = await readFixture("01_base.xlsx");
    const uploaded = await upload(
      api,
      uploadForm([
        ["mode", "smart"],
        ["file", bytes, "01_base.xlsx"],
      ]),
    );
    expect(uploaded.status).toBe(202);
    const { id } = (await uploaded.json()) as JobResource;

    const validated = await waitFor(id, ["validated", "failed"]);
    expect(validated).toMatchObject({
      status: "validated",
      mode: "smart",
      progress: { phase: "validate", done: 27, total: 27 },
      summary: {
        rows: { total: 27, valid: 27, with_errors: 0, with_warnings: 0 },
        errors: 0,
        warnings: 0,
        candidates: { categories: 3, series: 3, brands: 3 },
        products: { create: 14, update: 0, unchanged: 0 },
        variants: { create: 27, update: 0, unchanged: 0 },
      },
      result: null,
      failure: null,
    });
    // The report is built after `validated`: pending, then ready (its own queue work).
    expect(["pending", "ready"]).toContain(validated.report_status);
    await waitForReportReady(api.db, id, { generation: 1 });
    const preview = new ExcelJS.Workbook();
    await preview.xlsx.load(
      await (await get(`/api/admin/import-jobs/${id}/report/`)).arrayBuffer(),
    );
    expect(sections(preview)).not.toContain("result");

    const commit = await fetch(`${api.url}/api/admin/import-jobs/${id}/commit/`, {
      method: "POST",
      headers: { ...api.auth("importer"), "content-type": "application/json" },
      body: JSON.stringify({ allow_partial: false }),
    });
    expect(commit.status).toBe(202);
    // db_verify runs right after the commit's transaction: the job shows success a moment before it.
    const done = await waitFor(
      id,
      ["success", "partial", "failed"],
      (job) => job.status === "failed" || job.db_verify !== null,
    );
    const { candidates, products, variants } = validated.summary ?? {};
    expect(done).toMatchObject({ status: "success", result: { candidates, products, variants } });
    expect(done.db_verify).toMatchObject({ enabled: true, created_entities_found_in_db: true });
    // The committed job's report (the result and db_verify) is asked for at the commit.
    expect(done.report_status === "pending" || done.report_status === "ready").toBe(true);
    await waitForReportReady(api.db, id, { generation: 2 });
    const shown = (await (await get(`/api/admin/import-jobs/${id}/`)).json()) as JobResource;
    expect(shown).toMatchObject({ report_status: "ready", report_ready_at: expect.any(String) });

    const report = await get(`/api/admin/import-jobs/${id}/report/`);
    expect(report.status).toBe(200);
    expect(report.headers.get("content-type")).toContain(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    expect(report.headers.get("content-disposition")).toContain(`import_report_${id}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await report.arrayBuffer());
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      "Summary",
      "Issues",
      "Data",
      "Candidates",
      "Normalization",
    ]);
    expect(workbook.getWorksheet("Data")?.actualRowCount).toBe(28);
    // The report after commit holds the result and db_verify.
    expect(sections(workbook)).toEqual(expect.arrayContaining(["result", "db_verify"]));

    const issues = await (await get(`/api/admin/import-jobs/${id}/issues/`)).json();
    expect(issues).toEqual({ items: [], total: 0, limit: 100, offset: 0 });
  });
});
