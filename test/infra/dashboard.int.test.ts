/**
 * The Grafana dashboard tells the truth: a real Prometheus (the Debian package)
 * scrapes a real API and worker process while real imports run (a commit, a
 * partial commit, a validation that fails, a job the reaper fails), then every
 * panel's query is evaluated through Prometheus's HTTP API. Each returns data,
 * and the success rate per phase equals what the database says.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import {
  createTestDatabase,
  type PrometheusServer,
  type RunningSystem,
  readFixture,
  startPrometheus,
  startSystem,
  type TestDatabase,
} from "@catalog/testing";
import { sql } from "kysely";

jest.setTimeout(240_000);

const root = resolve(__dirname, "../..");
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Panel {
  title: string;
  targets: { expr: string; refId: string }[];
}
const dashboard = JSON.parse(
  readFileSync(resolve(root, "infra/grafana/dashboards/catalog-import.json"), "utf8"),
) as { panels: Panel[]; templating: { list: { name: string; allValue?: string }[] } };

/**
 * A panel query as Grafana sends it with the variables at their defaults: every
 * phase (the variable's "All" value) and a rate window that covers the test.
 */
function asGrafanaSends(expr: string): string {
  const all = dashboard.templating.list.find((variable) => variable.name === "phase")?.allValue;
  return expr.replaceAll("$phase", all ?? ".*").replaceAll("$__rate_interval", "5m");
}

describe("the dashboard against a real Prometheus", () => {
  let database: TestDatabase;
  let system: RunningSystem;
  let prometheus: PrometheusServer;
  let token: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    system = await startSystem({
      databaseUrl: database.url,
      db: database.db,
      workers: 1,
      workerEnv: { QUEUE_METRICS_INTERVAL_S: "1", REAPER_INTERVAL_S: "1" },
    });
    token = await system.token("admin");
    const started = system.workers[0]?.logLines().find((line) => line.msg === "Worker started") as
      | { metricsPort: number }
      | undefined;
    if (!started) throw new Error("the worker did not say its metrics port");
    prometheus = await startPrometheus({
      logDir: system.logDir,
      targets: {
        api: [new URL(system.apiUrl).host],
        worker: [`127.0.0.1:${started.metricsPort}`],
      },
      scrapeIntervalS: 1,
      ruleFiles: [resolve(root, "infra/prometheus/alerts.yml")],
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await system?.stop();
    await database?.drop();
  });

  const api = async (path: string, init: RequestInit = {}) =>
    fetch(`${system.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });

  /**
   * Lets Prometheus scrape between two requests. An HTTP series (method, route,
   * status) is born on its first request, so rate() sees only the requests
   * after a first sample; the job counters need no such care (they start at 0).
   */
  const scrapeGap = () => sleep(2_000);

  async function upload(fixture: string, mode: "strict" | "smart"): Promise<string> {
    const form = new FormData();
    form.set("mode", mode);
    form.set("file", new Blob([await readFixture(fixture)]), fixture);
    const response = await api("/api/admin/import-jobs/validate/", { method: "POST", body: form });
    expect(response.status).toBe(202);
    await scrapeGap();
    return ((await response.json()) as { id: string }).id;
  }

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

  async function commit(id: string, allowPartial: boolean): Promise<void> {
    const response = await api(`/api/admin/import-jobs/${id}/commit/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ allow_partial: allowPartial }),
    });
    expect(response.status).toBe(202);
    await scrapeGap();
  }

  /** Outcomes per phase as the database records them. */
  async function outcomesInDatabase(): Promise<Record<string, number>> {
    const { rows } = await sql<{ phase: string; outcome: string; jobs: number }>`
      SELECT 'validate' AS phase, CASE WHEN validated_at IS NOT NULL THEN 'success' ELSE 'failed' END AS outcome,
        count(*)::int AS jobs
      FROM ops_importjob
      WHERE validated_at IS NOT NULL OR (status = 'failed' AND commit_requested_at IS NULL)
      GROUP BY 2
      UNION ALL
      SELECT 'commit', CASE status WHEN 'failed' THEN 'failed' ELSE status END, count(*)::int
      FROM ops_importjob
      WHERE commit_requested_at IS NOT NULL AND status IN ('success', 'partial', 'failed')
      GROUP BY 2`.execute(database.db);
    return Object.fromEntries(rows.map((row) => [`${row.phase}/${row.outcome}`, row.jobs]));
  }

  it("every panel returns data and the success rate per phase equals the database's counts", async () => {
    // A commit that succeeds, one that applies only the valid rows, a validation that fails.
    const base = await upload("01_base.xlsx", "smart");
    await waitForStatus(base, ["validated"]);
    await commit(base, false);
    // One after the other: both files plan the same categories.
    expect(await waitForStatus(base, ["success", "failed"])).toBe("success");
    const turkish = await upload("03_turkish.csv", "smart");
    await waitForStatus(turkish, ["validated"]);
    await commit(turkish, true);
    const missingColumn = await upload("06_missing_column.csv", "strict");
    expect(await waitForStatus(turkish, ["partial", "failed"])).toBe("partial");
    expect(await waitForStatus(missingColumn, ["validated", "failed"])).toBe("failed");

    // A commit whose worker died two hours ago: the worker's reaper fails it.
    const reaped = crypto.randomUUID();
    await sql`INSERT INTO ops_importjob (id, status, mode, file_name, file_size, file_hash,
        input_key, created_by, commit_requested_at, heartbeat_at, updated_at)
      VALUES (${reaped}, 'running', 'strict', 'lost.csv', 1, ${"0".repeat(64)}, 'inputs/lost.csv',
        'ops@example.com', now() - interval '2 hours', now() - interval '2 hours',
        now() - interval '2 hours')`.execute(database.db);
    expect(await waitForStatus(reaped, ["failed"])).toBe("failed");
    await api("/api/admin/import-jobs/?status=failed");

    const expected = await outcomesInDatabase();
    expect(expected).toEqual({
      "validate/success": 2,
      "validate/failed": 1,
      "commit/success": 1,
      "commit/partial": 1,
      "commit/failed": 1,
    });

    // Wait until Prometheus has scraped the counts the database holds.
    const scraped = async () =>
      Object.fromEntries(
        (await prometheus.query("sum by (phase, outcome) (import_jobs_total) > 0")).map((s) => [
          `${s.metric.phase}/${s.metric.outcome}`,
          s.value,
        ]),
      );
    for (let attempt = 0; attempt < 100; attempt++) {
      if (isDeepStrictEqual(await scraped(), expected)) break;
      await sleep(300);
    }
    expect(await scraped()).toEqual(expected);
    // A few more scrapes after the last change, as a dashboard would see it.
    await sleep(3_000);

    const at = new Date();
    const panels = dashboard.panels.flatMap((panel) =>
      panel.targets.map((target) => ({ panel: panel.title, ...target })),
    );
    expect(panels.length).toBeGreaterThanOrEqual(15);
    const answers = new Map<string, Awaited<ReturnType<PrometheusServer["query"]>>>();
    for (const target of panels) {
      const samples = await prometheus.query(asGrafanaSends(target.expr), at);
      answers.set(`${target.panel}/${target.refId}`, samples);
      // "Returns data": at least one series, every value a number (no NaN from a 0/0).
      expect({
        panel: target.panel,
        refId: target.refId,
        series: samples.length > 0,
        finite: samples.every((s) => Number.isFinite(s.value)),
      }).toEqual({ panel: target.panel, refId: target.refId, series: true, finite: true });
    }

    const rate = answers.get("Success rate per phase (1h)/A") ?? [];
    const byPhase = Object.fromEntries(rate.map((s) => [s.metric.phase, s.value]));
    const success = (phase: string) =>
      ((expected[`${phase}/success`] ?? 0) + (expected[`${phase}/partial`] ?? 0)) /
      ((expected[`${phase}/success`] ?? 0) +
        (expected[`${phase}/partial`] ?? 0) +
        (expected[`${phase}/failed`] ?? 0));
    // No revert ran: no value for it rather than a 0/0.
    expect(Object.keys(byPhase).sort()).toEqual(["commit", "validate"]);
    expect(byPhase.validate).toBeCloseTo(success("validate"), 9);
    expect(byPhase.commit).toBeCloseTo(success("commit"), 9);

    const reapedPanel = answers.get("Reaped jobs (1h)/A") ?? [];
    expect(reapedPanel.find((s) => s.metric.action === "failed")?.value).toBeGreaterThan(0);
    const routes = (answers.get("HTTP latency p95 by route/A") ?? []).map((s) => s.metric.route);
    expect(routes).toEqual(
      expect.arrayContaining([
        "/api/admin/import-jobs/validate",
        "/api/admin/import-jobs/:id/commit",
      ]),
    );

    // The alert rules run in the same Prometheus: the reaped job fires ImportJobsReaped.
    let alerts: Awaited<ReturnType<PrometheusServer["alerts"]>> = [];
    for (let attempt = 0; attempt < 50; attempt++) {
      alerts = await prometheus.alerts();
      if (alerts.some((a) => a.labels.alertname === "ImportJobsReaped" && a.state === "firing"))
        break;
      await sleep(200);
    }
    expect(alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          labels: expect.objectContaining({ alertname: "ImportJobsReaped", action: "failed" }),
          state: "firing",
        }),
        expect.objectContaining({
          labels: expect.objectContaining({ alertname: "ImportSuccessRateLow", phase: "commit" }),
        }),
      ]),
    );
  });
});
