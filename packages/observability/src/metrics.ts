/**
 * The service's Prometheus metrics (SPEC §10), defined once. Each process makes
 * its own registry with {@link createMetrics} and serves it at `/metrics`; the alert
 * rules in infra/prometheus and the dashboard in infra/grafana are written against
 * these names.
 *
 * Every label combination a process can produce is set to 0 when the registry is
 * made: a labelled series that appears only on its first increment has no earlier
 * sample, so `increase()` cannot see that first failure and the alert and the
 * success-rate panel miss it.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The phases a job goes through, and how each can end (revert has no partial outcome). */
export const JOB_OUTCOMES_BY_PHASE = {
  validate: ["success", "failed"],
  commit: ["success", "partial", "failed"],
  revert: ["success", "failed"],
} as const;

/** A phase of import_jobs_total. */
export type JobPhase = keyof typeof JOB_OUTCOMES_BY_PHASE;

/** The import modes (as ops_importjob.mode). */
export const METRIC_MODES = ["strict", "smart"] as const;

/** States of import_queue_jobs. */
export const QUEUE_STATES = ["waiting", "active", "delayed", "failed"] as const;

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
  /** Age in seconds of the oldest job waiting in each queue (0 when none waits). */
  queueOldestWaiting: Gauge<"queue">;
  /** HTTP request duration on the API, by method, route template and status code. */
  httpRequestDuration: Histogram<"method" | "route" | "status_code">;
}

/** Label values the metrics are pre-initialized with. */
export interface MetricLabelSets {
  /** Queue names of import_queue_jobs and import_queue_oldest_waiting_seconds. */
  queues?: readonly string[];
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
export function createMetrics(options: MetricSources & MetricLabelSets = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metrics: Metrics = {
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
        if (!options.stuckJobs) return;
        // Postgres unreachable: the gauge keeps its last values, /metrics still answers.
        const counts = await options.stuckJobs().catch(() => undefined);
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
    queueOldestWaiting: new Gauge({
      name: "import_queue_oldest_waiting_seconds",
      help: "Age of the oldest job waiting in each queue (0 when none waits)",
      labelNames: ["queue"],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration, by method, route template and status code",
      labelNames: ["method", "route", "status_code"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  };
  zeroLabelSets(metrics, options);
  return metrics;
}

/** Sets every known label combination to 0 (see the module comment). */
function zeroLabelSets(metrics: Metrics, labelSets: MetricLabelSets): void {
  for (const [phase, outcomes] of Object.entries(JOB_OUTCOMES_BY_PHASE)) {
    for (const outcome of outcomes)
      for (const mode of METRIC_MODES) metrics.jobsTotal.inc({ phase, outcome, mode }, 0);
  }
  metrics.phaseDuration.zero({ phase: "validate" });
  metrics.phaseDuration.zero({ phase: "commit" });
  metrics.rowsTotal.inc({ outcome: "valid" }, 0);
  metrics.rowsTotal.inc({ outcome: "error" }, 0);
  for (const queue of labelSets.queues ?? []) {
    for (const state of QUEUE_STATES) metrics.queueJobs.set({ queue, state }, 0);
    metrics.queueOldestWaiting.set({ queue }, 0);
  }
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
