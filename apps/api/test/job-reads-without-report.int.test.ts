/**
 * Job reads never load `report_json` (every issue and candidate of a file):
 * the job list, the per-job routes and `importctl failed` select their columns.
 * Proven by counting the bytes Postgres sends to the reader, through a TCP proxy
 * in front of the API's own pool (and of importctl's).
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import type { JobResource } from "@catalog/jobs";
import { postgresServerUrl } from "@catalog/testing";
import { sql } from "kysely";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy";
import { readJson, startTestApi, type TestApi } from "./support/test-api";

const root = resolve(__dirname, "../../..");
const JOBS = 500;
const ISSUES = 5_000;

describe("job reads with large reports", () => {
  let proxy: TcpProxy;
  let api: TestApi;
  let viaProxy: (url: string) => string;
  let reportBytes: number;

  beforeAll(async () => {
    const server = new URL(postgresServerUrl());
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    viaProxy = (url) => {
      const proxied = new URL(url);
      proxied.hostname = "127.0.0.1";
      proxied.port = String(proxy.port);
      return proxied.toString();
    };
    api = await startTestApi({ apiDatabaseUrl: viaProxy });
    // 500 jobs whose commit failed (SNAPSHOT_STALE), each with a report of 5,000 issues.
    await sql`
      INSERT INTO ops_importjob (id, status, mode, file_name, file_size, file_hash, input_key,
        created_by, summary, report_json, total_rows, error_count, warning_count,
        failure_code, failure_message, retryable, completed_at)
      SELECT gen_random_uuid(), 'failed', 'smart', 'supplier-' || i || '.csv', 1000,
        md5(i::text) || md5((-i)::text), 'inputs/' || i || '/supplier.csv', 'importer@example.com',
        '{"rows_total": 5000}'::jsonb, report.doc, ${ISSUES}::int, ${ISSUES}::int, 0,
        'SNAPSHOT_STALE', 'The catalog changed since validation', false, now()
      FROM generate_series(1, ${JOBS}::int) AS i,
        (SELECT jsonb_build_object('summary', jsonb_build_object('errors', ${ISSUES}::int),
          'issues', jsonb_agg(jsonb_build_object('row', n + 1, 'column', 'price',
            'code', 'INVALID_PRICE', 'severity', 'error',
            'message', 'Price is not a number: ' || md5(n::text), 'value', md5(n::text)))) AS doc
         FROM generate_series(1, ${ISSUES}::int) AS n) AS report`.execute(api.db);
    const { rows } = await sql<{ bytes: number }>`
      SELECT octet_length(report_json::text) AS bytes FROM ops_importjob LIMIT 1`.execute(api.db);
    reportBytes = rows[0]?.bytes ?? 0;
  }, 120_000);
  afterAll(async () => {
    await api.close();
    await proxy.close();
  });

  /** Bytes Postgres sent through the proxy while `read` ran, and its result. */
  async function measured<T>(read: () => Promise<T>): Promise<{ bytes: number; result: T }> {
    const before = proxy.bytesFromServer;
    const result = await read();
    return { bytes: proxy.bytesFromServer - before, result };
  }

  const get = (path: string) =>
    fetch(`${api.url}/api/admin/import-jobs/${path}`, { headers: api.auth("viewer") });

  it("each report is hundreds of kilobytes", () => {
    expect(reportBytes).toBeGreaterThan(500_000);
  });

  it("the list of 500 jobs is answered without loading one report", async () => {
    const { bytes, result } = await measured(async () => {
      const response = await get("?limit=500");
      expect(response.status).toBe(200);
      return readJson<{ items: JobResource[]; total: number }>(response);
    });
    expect(result.total).toBe(JOBS);
    expect(result.items).toHaveLength(JOBS);
    expect(result.items[0]).toMatchObject({
      status: "failed",
      failure: { code: "SNAPSHOT_STALE" },
      summary: expect.any(Object),
    });
    // All 500 reports would be 500 × reportBytes; not even one came over the wire.
    expect(bytes).toBeLessThan(reportBytes);
  });

  it("the per-job routes (job, issues page) read no report either", async () => {
    const [job] = (await readJson<{ items: JobResource[] }>(await get("?limit=1")))
      .items as JobResource[];
    const shown = await measured(async () => {
      const response = await get(`${job?.id}/`);
      expect(response.status).toBe(200);
      return readJson<JobResource>(response);
    });
    expect(shown.result.id).toBe(job?.id);
    expect(shown.bytes).toBeLessThan(20_000);

    const issues = await measured(async () => {
      const response = await get(`${job?.id}/issues/?limit=10`);
      expect(response.status).toBe(200);
      return readJson<{ items: unknown[]; total: number }>(response);
    });
    expect(issues.result).toMatchObject({ total: ISSUES });
    expect(issues.result.items).toHaveLength(10);
    expect(issues.bytes).toBeLessThan(20_000);
  });

  it("importctl failed lists the 500 failed jobs without loading a report", async () => {
    const { bytes, result } = await measured(
      () =>
        new Promise<string>((done, fail) => {
          execFile(
            process.execPath,
            ["--import", "tsx", "apps/cli/src/main.ts", "failed", "--limit", "500", "--json"],
            {
              cwd: root,
              env: { ...process.env, DATABASE_URL: viaProxy(api.databaseUrl) },
              maxBuffer: 64 * 1024 * 1024,
              timeout: 60_000,
            },
            (error, stdout) => (error ? fail(error) : done(stdout)),
          );
        }),
    );
    expect((JSON.parse(result) as JobResource[]).length).toBe(JOBS);
    expect(bytes).toBeLessThan(reportBytes);
  });
});
