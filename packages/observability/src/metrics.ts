/**
 * The service's Prometheus metrics (SPEC §10), defined once. Each process makes
 * its own registry with {@link createMetrics} and serves it at `/metrics`; the alert
 * rules in infra/prometheus are written against these names.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Every metric, by role. */
export interface Metrics {
  registry: Registry;
  /** Jobs finished, by phase (validate, commit, revert), outcome (success, partial, failed) and mode. */
  jobsTotal: Counter<"phase" | "outcome" | "mode">;
  /** Wall time of validate and commit. */
  phaseDuration: Histogram<"phase">;
  /** Data rows validated, by outcome (valid, error). */
  rowsTotal: Counter<"outcome">;
  /** Snapshots whose bytes did not match the recorded SHA-256 at commit. */
  snapshotIntegrityFailures: Counter<string>;
  /** Created rows that db_verify could not find after a commit. */
  dbVerifyFailures: Counter<string>;
  /** Jobs stuck past STUCK_AFTER_S, by status (see packages/jobs/src/stuck-jobs.ts), read at each scrape. */
  jobsStuck: Gauge<"status">;
  /** Jobs the reaper acted on, by action. */
  jobsReaped: Counter<"action">;
  /** Queue depth by queue and state (waiting, active, delayed, failed). */
  queueJobs: Gauge<"queue" | "state">;
}

/** Where metrics that describe the whole system, not this process, are read from. */
export interface MetricSources {
  /**
   * Stuck jobs by status, read at every scrape (from Postgres): the gauge is
   * then right in every process that serves it, whether or not a reaper runs.
   */
  stuckJobs?: () => Promise<Record<string, number>>;
}

/** A fresh registry holding every metric, plus Node's default process metrics. */
export function createMetrics(sources: MetricSources = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    jobsTotal: new Counter({
      name: "import_jobs_total",
      help: "Import jobs finished, by phase, outcome and mode",
      labelNames: ["phase", "outcome", "mode"],
      registers,
    }),
    phaseDuration: new Histogram({
      name: "import_phase_duration_seconds",
      help: "Duration of the validate and commit phases",
      labelNames: ["phase"],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    rowsTotal: new Counter({
      name: "import_rows_total",
      help: "Data rows validated, by outcome",
      labelNames: ["outcome"],
      registers,
    }),
    snapshotIntegrityFailures: new Counter({
      name: "import_snapshot_integrity_failures_total",
      help: "Snapshots whose SHA-256 did not match the recorded one at commit",
      registers,
    }),
    dbVerifyFailures: new Counter({
      name: "import_db_verify_failures_total",
      help: "Created entities not found by db_verify after a commit",
      registers,
    }),
    jobsStuck: new Gauge({
      name: "import_jobs_stuck",
      help: "Jobs without progress for longer than STUCK_AFTER_S where progress is expected, by status",
      labelNames: ["status"],
      registers,
      async collect() {
        if (!sources.stuckJobs) return;
        // Postgres unreachable: the gauge keeps its last values, /metrics still answers.
        const counts = await sources.stuckJobs().catch(() => undefined);
        for (const [status, count] of Object.entries(counts ?? {})) this.set({ status }, count);
      },
    }),
    jobsReaped: reapedCounter(registers),
    queueJobs: new Gauge({
      name: "import_queue_jobs",
      help: "Jobs in each queue by state",
      labelNames: ["queue", "state"],
      registers,
    }),
  };
}

/** What the reaper does to a job: fail it (stuck), re-enqueue its work, finish its post-commit work. */
export const REAPER_ACTIONS = ["failed", "requeued", "post_commit"] as const;

/**
 * import_jobs_reaped_total with every action present from the start at 0:
 * Prometheus's increase() cannot see a first reap on a series that appears
 * with the value 1.
 */
function reapedCounter(registers: Registry[]): Counter<"action"> {
  const counter = new Counter({
    name: "import_jobs_reaped_total",
    help: "Jobs the reaper acted on, by action (failed, requeued, post_commit)",
    labelNames: ["action"],
    registers,
  });
  for (const action of REAPER_ACTIONS) counter.inc({ action }, 0);
  return counter;
}
