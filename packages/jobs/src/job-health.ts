/**
 * The runbook's health check (SPEC §13 `health`): jobs of the last 24 hours by
 * status, failures by code, stuck jobs and the latest failures, plus the depth
 * of each import queue. One place, so `importctl health` and the console's
 * health page say the same thing. Only the columns shown are read: a job's
 * report JSON can be megabytes.
 */
import type { Database, JobStatus } from "@catalog/db";
import type { QueueKind } from "@catalog/queue";
import { type Kysely, sql } from "kysely";
import type { ImportQueues } from "./job-queues";

const WORKING: JobStatus[] = ["pending", "validating", "running"];

/** How many of the latest failed jobs the report lists. */
const RECENT_FAILURES = 20;

/** A job named in the health report, with what an operator needs to pick it out. */
export interface HealthJob {
  id: string;
  status: JobStatus;
  file_name: string;
  created_by: string;
  failure_code: string | null;
  failure_message: string | null;
  created_at: string;
  updated_at: string;
}

/** What {@link jobHealthReport} answers. */
export interface JobHealthReport {
  /** Jobs created in the last 24 hours, by status. */
  last_24h: Record<string, number>;
  /** Jobs of the last 24 hours that failed, by failure code. */
  failures_by_code: Record<string, number>;
  /** Seconds without a sign of life after which a working job counts as stuck. */
  stuck_after_s: number;
  /** Working jobs with no heartbeat or update for longer than `stuck_after_s`, oldest first. */
  stuck: HealthJob[];
  /** The latest failed jobs of the last 24 hours, newest first. */
  recent_failures: HealthJob[];
}

const HEALTH_JOB_COLUMNS = [
  "id",
  "status",
  "file_name",
  "created_by",
  "failure_code",
  "failure_message",
  "created_at",
  "updated_at",
] as const;

/** A {@link HealthJob} as Postgres returns it (times as dates). */
type HealthJobRow = Omit<HealthJob, "created_at" | "updated_at"> & {
  created_at: Date;
  updated_at: Date;
};

function toHealthJob(row: HealthJobRow): HealthJob {
  return {
    ...row,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** Jobs by status, failures by code, stuck jobs and recent failures, from Postgres. */
export async function jobHealthReport(
  db: Kysely<Database>,
  stuckAfterS: number,
): Promise<JobHealthReport> {
  const last24h = sql<boolean>`created_at > now() - interval '24 hours'`;
  const [byStatus, failures, stuck, recent] = await Promise.all([
    db
      .selectFrom("ops_importjob")
      .select(["status", (eb) => eb.fn.countAll<number>().as("count")])
      .where(last24h)
      .groupBy("status")
      .orderBy("status")
      .execute(),
    db
      .selectFrom("ops_importjob")
      .select(["failure_code", (eb) => eb.fn.countAll<number>().as("count")])
      .where("status", "=", "failed")
      .where(last24h)
      .groupBy("failure_code")
      .orderBy("count", "desc")
      .orderBy("failure_code")
      .execute(),
    db
      .selectFrom("ops_importjob")
      .select(HEALTH_JOB_COLUMNS)
      .where("status", "in", WORKING)
      .where(
        sql<boolean>`coalesce(heartbeat_at, updated_at) < now() - make_interval(secs => ${stuckAfterS})`,
      )
      .orderBy("updated_at")
      .execute(),
    db
      .selectFrom("ops_importjob")
      .select(HEALTH_JOB_COLUMNS)
      .where("status", "=", "failed")
      .where(last24h)
      .orderBy("updated_at", "desc")
      .orderBy("id")
      .limit(RECENT_FAILURES)
      .execute(),
  ]);
  return {
    last_24h: Object.fromEntries(byStatus.map((row) => [row.status, Number(row.count)])),
    failures_by_code: Object.fromEntries(
      failures.map((row) => [row.failure_code ?? "unknown", Number(row.count)]),
    ),
    stuck_after_s: stuckAfterS,
    stuck: stuck.map(toHealthJob),
    recent_failures: recent.map(toHealthJob),
  };
}

/** Jobs in one queue by BullMQ state. */
export interface QueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** The depth of every import queue, by state (read from Redis). */
export async function importQueueDepths(
  queues: ImportQueues,
): Promise<Record<QueueKind, QueueDepth>> {
  const kinds = Object.keys(queues) as QueueKind[];
  const counts = await Promise.all(
    kinds.map((kind) => queues[kind].getJobCounts("waiting", "active", "delayed", "failed")),
  );
  return Object.fromEntries(
    kinds.map((kind, index) => {
      const count = counts[index] ?? {};
      return [
        kind,
        {
          waiting: count.waiting ?? 0,
          active: count.active ?? 0,
          delayed: count.delayed ?? 0,
          failed: count.failed ?? 0,
        },
      ];
    }),
  ) as Record<QueueKind, QueueDepth>;
}
