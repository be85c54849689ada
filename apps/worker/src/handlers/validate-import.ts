/**
 * The validate job (SPEC §3–5): input from S3 → rows → normalized file → the
 * catalog rows it refers to → plan → canonical snapshot in S3 (SHA-256 recorded
 * in Postgres) → job `validated`, its report pending; the XLSX report is built
 * after, by report work (report-import.ts) this enqueues. A problem with the file fails
 * the job with a code; an infrastructure error is rethrown so the queue retries.
 * Safe to run twice, even at the same time: nothing here writes the catalog,
 * and the snapshot is stored and its hash recorded under a lock of the job's
 * own, by the first delivery to get there (see recordValidation).
 *
 * A job cancelled (or failed by an operator or the reaper) while it is being
 * validated is seen by that check, before anything is stored: the validation
 * stops there and writes no snapshot. A cancel that arrives while the result is
 * being recorded waits for the job's row lock, and then finds the job validated.
 */

import { loadCatalogView } from "@catalog/catalog";
import {
  buildSnapshot,
  catalogKeys,
  FatalImportError,
  type ImportResult,
  normalizeFile,
  planImport,
  type RawRow,
} from "@catalog/core";
import type { ImportJob } from "@catalog/db";
import { failpoint } from "@catalog/failpoints";
import {
  asJobFailure,
  failValidation,
  findImportJob,
  JobFailure,
  lockImportJob,
  markValidated,
  recordMedia,
  recordProgress,
  startValidation,
} from "@catalog/jobs";
import { LOG_PATTERNS } from "@catalog/observability";
import { readRows } from "@catalog/readers";
import { putObject } from "@catalog/storage";
import { sql } from "kysely";
import type { WorkerDependencies } from "../worker-dependencies";
import { downloadInput } from "./download-input";
import { type SnapshotFile, writeSnapshotFile } from "./snapshot-file";
import { requestReportWork } from "./report-import";
import { withTimeout } from "./with-timeout";

/** The key of a job's snapshot (SPEC §5). */
export const snapshotKey = (jobId: string) => `snapshots/import_snapshot_${jobId}.json`;

/** Validates import `importId`; returns the job as it ended, or undefined when there was nothing to do. */
export async function validateImport(
  importId: string,
  deps: WorkerDependencies,
): Promise<ImportJob | undefined> {
  const job = await startValidation(deps.db, importId);
  const log = deps.logger.child({ job_id: importId, phase: "validate" });
  if (!job) {
    const current = await findImportJob(deps.db, importId);
    log.info({ status: current?.status ?? "missing" }, "Validate skipped: job is not pending");
    // A delivery that recorded the validation may have died before enqueueing its report work.
    if (current?.status === "validated") await requestReportWork(deps, current);
    return undefined;
  }

  const stopTimer = deps.metrics.phaseDuration.startTimer({ phase: "validate" });
  try {
    const result = await withTimeout(
      deps.limits.validationTimeoutMs,
      (signal) => validate(job, deps, signal),
      () =>
        new FatalImportError(
          "VALIDATION_TIMEOUT",
          `Validation took longer than ${deps.limits.validationTimeoutMs / 1000} s`,
        ),
    );
    if (!result) return findImportJob(deps.db, importId);
    deps.metrics.jobsTotal.inc({ phase: "validate", outcome: "success", mode: job.mode });
    deps.metrics.rowsTotal.inc({ outcome: "valid" }, result.summary.rows_valid);
    deps.metrics.rowsTotal.inc({ outcome: "error" }, result.summary.rows_with_errors);
    log.info({ summary: result.summary }, "Validation finished");
    const validated = await findImportJob(deps.db, importId);
    // The report is queue work of its own, after `validated`. Redis refusing it
    // fails this attempt: the redelivery (or the reaper) enqueues it again.
    await requestReportWork(deps, validated);
    return validated;
  } catch (error) {
    const failure = asJobFailure(error);
    if (!failure) throw error;
    log.error({ err: error, failure_code: failure.code }, LOG_PATTERNS.validateFatal);
    deps.metrics.jobsTotal.inc({ phase: "validate", outcome: "failed", mode: job.mode });
    return failValidation(deps.db, importId, failure);
  } finally {
    stopTimer();
  }
}

async function validate(
  job: ImportJob,
  deps: WorkerDependencies,
  signal: AbortSignal,
): Promise<ValidationOutcome | undefined> {
  await failpoint("validate.started");
  await recordProgress(deps.db, job.id, { phase: "validate", done: 0, total: 0 });
  const validation = await validateInput(job, deps, signal);
  try {
    await failpoint("validate.planned");
    signal.throwIfAborted();
    const recorded = await recordValidation(job, deps, signal, validation);
    return recorded ? validation.outcome : undefined;
  } finally {
    await validation.snapshot.remove();
  }
}

/**
 * The input read, checked and planned, its snapshot written to a temporary file.
 * Each stage's output is dropped as soon as the next one has what it needs (rows
 * once normalized, the normalized file once planned, the result once encoded):
 * only the snapshot file and what the job records stay.
 */
async function validateInput(
  job: ImportJob,
  deps: WorkerDependencies,
  signal: AbortSignal,
): Promise<Validation> {
  const input = await downloadInput(deps.store, job.input_key, signal, deps.scratchFolder);
  let result: ImportResult;
  try {
    if (input.sha256 !== job.file_hash.trim()) {
      throw new JobFailure(
        "INPUT_INTEGRITY_FAILED",
        "The stored input does not match the uploaded file's SHA-256",
        {
          expected: job.file_hash.trim(),
          actual: input.sha256,
        },
      );
    }
    result = await planInput(job, deps, input.path, signal);
  } finally {
    await input.remove();
  }
  signal.throwIfAborted();
  const snapshot = await writeSnapshotFile(
    buildSnapshot({
      jobId: job.id,
      input: { filename: job.file_name, fileSha256: input.sha256, mode: job.mode },
      result,
    }),
    deps.scratchFolder,
  );
  const { summary, issues, candidates } = result;
  return { snapshot, outcome: { summary, issues, candidates } };
}

/** Reads, normalizes and plans the file at `path` (the raw rows and the normalized file end here). */
async function planInput(
  job: ImportJob,
  { db, limits }: WorkerDependencies,
  path: string,
  signal: AbortSignal,
): Promise<ImportResult> {
  let rows: RawRow[] | undefined = await readRows(path, {
    fileName: job.file_name,
    limits: {
      maxDataRows: limits.maxVariants,
      maxUncompressedBytes: limits.maxUncompressedBytes,
    },
    signal,
  });
  await failpoint("validate.rows-read");
  await recordProgress(db, job.id, { phase: "validate", done: 0, total: rows.length });
  const file = normalizeFile(rows, limits);
  rows = undefined; // the normalized rows keep the cells they need
  const catalog = await loadCatalogView(db, catalogKeys(file));
  return planImport(file, catalog, job.mode);
}

/** What the job records of a validation, beside its snapshot. */
type ValidationOutcome = Pick<ImportResult, "summary" | "issues" | "candidates">;

/** What validation produced, ready to store and record. */
interface Validation {
  snapshot: SnapshotFile;
  outcome: ValidationOutcome;
}

/** Rolls back the recording transaction when the job left `validating` meanwhile. */
class NoLongerValidating extends Error {
  override readonly name = "NoLongerValidating";
}

/**
 * Stores the snapshot and marks the job validated (its report pending), under a
 * lock of this job's own, and only while it is still `validating`. Two
 * deliveries of one validation can run at once (a redelivery while the first
 * worker is slow, not dead): the first to get here stores and records; the
 * other then finds the job validated and writes nothing. So once the snapshot's
 * hash is recorded, nobody overwrites the snapshot. The report is not written
 * here: report work builds it from the snapshot after. Returns false when this
 * delivery recorded nothing.
 */
async function recordValidation(
  job: ImportJob,
  deps: WorkerDependencies,
  signal: AbortSignal,
  { snapshot, outcome }: Validation,
): Promise<boolean> {
  const { db, store, logger } = deps;
  const key = snapshotKey(job.id);
  try {
    await db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`import-validate:${job.id}`}, 0))`.execute(
        trx,
      );
      // The row lock, not only a read: a cancel (or any other transition) waits
      // until this result is recorded or rolled back, so a job never ends
      // cancelled with a snapshot stored after the check.
      if ((await lockImportJob(trx, job.id))?.status !== "validating")
        throw new NoLongerValidating();
      await failpoint("validate.record.job-locked");
      signal.throwIfAborted();
      const stored = await putObject(store, key, snapshot.open(), "application/json");
      if (stored.sha256 !== snapshot.sha256)
        throw new Error(`Snapshot upload of ${key} hashed differently`);
      await failpoint("validate.record.snapshot-stored");
      signal.throwIfAborted();
      await recordMedia(trx, {
        key,
        kind: "snapshot",
        jobId: job.id,
        contentType: "application/json",
        sizeBytes: stored.sizeBytes,
        sha256: stored.sha256,
      });
      const summary = outcome.summary;
      const validated = await markValidated(trx, job.id, {
        snapshot_key: key,
        snapshot_hash: stored.sha256,
        summary: JSON.stringify(summary),
        report_json: JSON.stringify({
          summary,
          issues: outcome.issues,
          candidates: outcome.candidates,
        }),
        total_rows: summary.rows_total,
        created_count: summary.products.create + summary.variants.create,
        updated_count: summary.products.update + summary.variants.update,
        unchanged_count: summary.products.unchanged + summary.variants.unchanged,
        error_count: summary.errors,
        warning_count: summary.warnings,
        validated_at: new Date(),
        progress: JSON.stringify({
          phase: "validate",
          done: summary.rows_total,
          total: summary.rows_total,
        }),
      });
      if (!validated) throw new NoLongerValidating();
      await failpoint("validate.record.marked");
    });
    await failpoint("validate.recorded");
    return true;
  } catch (error) {
    if (!(error instanceof NoLongerValidating)) throw error;
    const current = await findImportJob(db, job.id);
    logger.info(
      {
        job_id: job.id,
        phase: "validate",
        status: current?.status ?? "missing",
        computed_sha256: snapshot.sha256,
        recorded_sha256: current?.snapshot_hash?.trim() ?? null,
      },
      "Validation not recorded: the job left 'validating' (another delivery recorded it, or it was cancelled or failed)",
    );
    return false;
  }
}
