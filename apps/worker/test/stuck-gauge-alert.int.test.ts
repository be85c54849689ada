/**
 * The stuck-jobs gauge and the ImportJobStuck alert: a job stuck past
 * STUCK_AFTER_S shows in import_jobs_stuck at the next scrape, read from
 * Postgres whether or not a reaper runs; the alert expression of
 * infra/prometheus/alerts.yml, evaluated by `promtool test rules` on the
 * scraped samples, fires on it; and still fires once the reaper has failed the
 * job (the gauge is back to 0, what it reaped is counted).
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  claimForCommit,
  closeImportQueues,
  countStuckJobs,
  createImportQueues,
  findImportJob,
  type ImportQueues,
  requestCommit,
} from "@catalog/jobs";
import { createMetrics, type Metrics } from "@catalog/observability";
import { createProducerConnection } from "@catalog/queue";
import { testRedisUrl, uniqueQueuePrefix } from "@catalog/testing";
import { sql } from "kysely";
import { parse } from "yaml";
import { reapJobs } from "../src/handlers/reap-jobs";
import { csv, validated } from "./support/commit-helpers";
import { createWorkerHarness, type WorkerHarness } from "./support/worker-harness";

const ALERTS = resolve(__dirname, "../../../infra/prometheus/alerts.yml");
const STUCK_AFTER_S = 1_800;

interface AlertRule {
  alert?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The samples of `names` in a Prometheus text exposition, as promtool series selectors. */
function samples(exposition: string, names: string[]): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of exposition.split("\n")) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && names.includes(match[1] ?? "")) {
      // One process, as Prometheus would label it.
      const labels = (match[2] ?? "{}").replace(/^\{/, '{instance="worker-1",').replace(",}", "}");
      found.set(`${match[1]}${labels}`, Number(match[3]));
    }
  }
  return found;
}

/**
 * Runs `promtool test rules` on alerts.yml with `scrapes` (one per minute, each
 * a map of series to value) as input, and checks whether ImportJobStuck is
 * firing at the last scrape. Resolves with promtool's exit code and output.
 */
async function promtoolExpects(
  scrapes: Map<string, number>[],
  firing: boolean,
): Promise<{ code: number; output: string }> {
  const rules = parse(await readFile(ALERTS, "utf8")) as { groups: { rules: AlertRule[] }[] };
  const rule = rules.groups
    .flatMap((group) => group.rules)
    .find((r) => r.alert === "ImportJobStuck");
  if (!rule) throw new Error("alerts.yml has no ImportJobStuck rule");
  const series = [...new Set(scrapes.flatMap((scrape) => [...scrape.keys()]))];
  const test = {
    rule_files: [ALERTS],
    evaluation_interval: "1m",
    tests: [
      {
        interval: "1m",
        input_series: series.map((name) => ({
          series: name,
          values: scrapes.map((scrape) => String(scrape.get(name) ?? "_")).join(" "),
        })),
        alert_rule_test: [
          {
            eval_time: `${scrapes.length - 1}m`,
            alertname: "ImportJobStuck",
            exp_alerts: firing
              ? [{ exp_labels: rule.labels ?? {}, exp_annotations: rule.annotations ?? {} }]
              : [],
          },
        ],
      },
    ],
  };
  const dir = await mkdtemp(join(tmpdir(), "alert-test-"));
  try {
    const file = join(dir, "stuck.test.json");
    await writeFile(file, JSON.stringify(test, null, 2));
    return await new Promise((done, fail) => {
      execFile("promtool", ["test", "rules", file], (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") {
          fail(new Error("promtool is missing: see scripts/install-promtool-if-needed.sh"));
          return;
        }
        done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("the stuck-jobs gauge and its alert", () => {
  let harness: WorkerHarness;
  let metrics: Metrics;
  let queues: ImportQueues;
  const producer = createProducerConnection(testRedisUrl());

  beforeAll(async () => {
    harness = await createWorkerHarness();
    // As every process builds it: the gauge read from Postgres at each scrape.
    metrics = createMetrics({ stuckJobs: () => countStuckJobs(harness.deps.db, STUCK_AFTER_S) });
    queues = createImportQueues(producer, uniqueQueuePrefix());
  });
  afterAll(async () => {
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
    await closeImportQueues(queues);
    producer.disconnect();
    await harness.close();
  });

  const scrape = async () =>
    samples(await metrics.registry.metrics(), ["import_jobs_stuck", "import_jobs_reaped_total"]);

  it("counts a stuck commit with no reaper running, and the alert fires on it, and still after the reaper failed it", async () => {
    const db = harness.deps.db;
    const job = await validated(
      harness,
      csv([
        ["category", "title_en", "model_code"],
        ["Ocaklar", "Stuck Product", "STUCK-1"],
      ]),
      "stuck.csv",
      "smart",
    );
    await requestCommit(db, job.id, false);
    expect((await claimForCommit(db, job.id))?.status).toBe("running");

    // A worker holds it and is alive: nothing is stuck, no alert.
    const healthy = await scrape();
    expect([...healthy].filter(([name]) => name.startsWith("import_jobs_stuck"))).not.toEqual([]);
    expect([...healthy.values()].every((value) => value === 0)).toBe(true);
    const quiet = await promtoolExpects([healthy, healthy, healthy], false);
    expect(quiet).toMatchObject({ code: 0 });

    // Its worker died an hour ago: no heartbeat since.
    await sql`UPDATE ops_importjob SET heartbeat_at = now() - interval '1 hour',
      updated_at = now() - interval '1 hour' WHERE id = ${job.id}`.execute(db);
    const stuck = await scrape();
    expect(stuck.get('import_jobs_stuck{instance="worker-1",status="running"}')).toBe(1);
    const fires = await promtoolExpects([healthy, stuck, stuck], true);
    expect(fires).toMatchObject({ code: 0 });
    // And the check can fail: the same samples do not leave the alert silent.
    expect((await promtoolExpects([healthy, stuck, stuck], false)).code).not.toBe(0);

    // The reaper acts: the job is failed, the gauge drops, what it reaped keeps the alert up.
    expect((await reapJobs({ ...harness.deps, metrics }, queues, STUCK_AFTER_S)).failed).toEqual([
      job.id,
    ]);
    expect((await findImportJob(db, job.id))?.failure_code).toBe("STUCK_JOB_REAPED");
    const reaped = await scrape();
    expect(reaped.get('import_jobs_stuck{instance="worker-1",status="running"}')).toBe(0);
    expect(reaped.get('import_jobs_reaped_total{instance="worker-1",action="failed"}')).toBe(1);
    expect(await promtoolExpects([healthy, stuck, reaped, reaped], true)).toMatchObject({
      code: 0,
    });
  });
});
