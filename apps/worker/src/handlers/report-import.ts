/**
 * The report work (queue `import-report`): builds the job's XLSX report after
 * the status that asks for it, off the path to `validated` and to `success`.
 * `markValidated` and `finishCommit` set `report_status` pending with a new
 * `report_generation`; the worker that moved the job enqueues this work
 * (`report-<uuid>-<generation>`), and the reaper enqueues it again from
 * Postgres when Redis lost it. A committed job's report waits for db_verify
 * (recorded by the commit's post-commit work, which then enqueues it), as it
 * shows it.
 *
 * Safe to run twice, even at the same time, and in any order: each run takes a
 * lock of the job's own (an advisory lock, held while the report is written and
 * recorded), re-reads the job under it and writes the report of the job as it
 * is then; it records `ready` only for the generation it read, still pending.
 * Of two runs, the second waits for the first and then finds the job ready (it
 * writes nothing) or a newer generation (it writes the newer report over the
 * older one). So the report in S3 is never older than the one recorded ready,
 * and a validated job committed meanwhile never ends with the validation's report.
 */
import { createHash } from "node:crypto";
import { decodeSnapshotReport, type SnapshotReportParts, SnapshotFormatError } from "@catalog/core";
import type { ImportJob } from "@catalog/db";
import { failpoint } from "@catalog/failpoints";
import {
  enqueueImportWork,
  findImportJob,
  owesPostCommit,
  recordReport,
  UnrecoverableJobError,
} from "@catalog/jobs";
import { getObjectBuffer } from "@catalog/storage";
import { sql } from "kysely";
import type { WorkerDependencies } from "../worker-dependencies";
import { storeJobReport } from "./job-report";

/** Whether report work for `job` may run now: its report is pending and (committed) db_verify is recorded. */
export const reportDue = (job: ImportJob): boolean =>
  job.report_status === "pending" && job.snapshot_key !== null && !owesPostCommit(job);

/**
 * Enqueues the report work of `job`'s pending report generation, if it is due
 * and this process has the queues (tests calling handlers directly run
 * {@link reportImport} themselves). A duplicate is a no-op (one queue job id per
 * generation). Throws when Redis does not take it: the caller's work is retried,
 * and the reaper re-enqueues it from Postgres anyway.
 */
export async function requestReportWork(
  deps: WorkerDependencies,
  job: ImportJob | undefined,
): Promise<void> {
  if (!deps.queues || !job || !reportDue(job)) return;
  await enqueueImportWork(deps.queues, "report", job.id, job.report_generation, job.request_id);
}

/** Builds and stores the report of import `importId`; returns the job as it is now, or undefined. */
export async function reportImport(
  importId: string,
  deps: WorkerDependencies,
): Promise<ImportJob | undefined> {
  const log = deps.logger.child({ job_id: importId, phase: "report" });
  const job = await findImportJob(deps.db, importId);
  if (!job || !reportDue(job)) {
    log.info(
      { status: job?.status ?? "missing", report_status: job?.report_status ?? null },
      "Report skipped: no report due",
    );
    return undefined;
  }
  // The snapshot is immutable once its hash is recorded: read it before taking the lock.
  const snapshot = await readReportSnapshot(job, deps);
  const started = performance.now();
  const recorded = await deps.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`import-report:${importId}`}, 0))`.execute(
      trx,
    );
    const current = await findImportJob(trx, importId);
    if (!current || !reportDue(current)) return undefined;
    const stored = await storeJobReport(trx, deps.store, current, snapshot);
    await failpoint("report.stored");
    const ready = await recordReport(trx, importId, current.report_generation, {
      status: "ready",
      reportKey: stored.key,
    });
    if (!ready) {
      log.info(
        { generation: current.report_generation },
        "Report stored, not recorded: a newer generation was asked for meanwhile (its work rewrites it)",
      );
    }
    return ready;
  });
  await failpoint("report.recorded");
  if (!recorded) return findImportJob(deps.db, importId);
  log.info(
    {
      status: recorded.status,
      generation: recorded.report_generation,
      ms: Math.round(performance.now() - started),
    },
    "Report ready",
  );
  return recorded;
}

/**
 * What the report reads of the job's snapshot, after checking its bytes against
 * the recorded SHA-256.
 * Bytes that are not the recorded snapshot fail the same way on every attempt:
 * never retried (the report is then `failed`).
 */
async function readReportSnapshot(
  job: ImportJob,
  deps: WorkerDependencies,
): Promise<SnapshotReportParts> {
  const bytes = await getObjectBuffer(deps.store, job.snapshot_key as string);
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== job.snapshot_hash?.trim()) {
    throw new UnrecoverableJobError(
      "SNAPSHOT_INTEGRITY_FAILED",
      "The snapshot's SHA-256 differs from the recorded one: no report is built from it",
      { key: job.snapshot_key, expected: job.snapshot_hash?.trim() ?? null, actual },
    );
  }
  try {
    return decodeSnapshotReport(bytes);
  } catch (error) {
    if (!(error instanceof SnapshotFormatError)) throw error;
    throw new UnrecoverableJobError(
      "SNAPSHOT_INVALID",
      `The snapshot cannot be read: ${error.message}`,
    );
  }
}

/**
 * Records the report of generation `generation` as failed: its work can never
 * succeed (a bug, an unreadable snapshot). Only while that generation is still
 * the job's and pending.
 */
export async function failReport(
  deps: WorkerDependencies,
  importId: string,
  generation: number,
): Promise<ImportJob | undefined> {
  return recordReport(deps.db, importId, generation, { status: "failed" });
}
