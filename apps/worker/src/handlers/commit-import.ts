/**
 * The commit job (SPEC §5–6): reads only the snapshot, checks its SHA-256
 * against Postgres, applies its plan in one transaction (drift check, writes,
 * change log, the job's final status), then verifies the created rows in the
 * database (db_verify). A refused commit (integrity, drift, timeout) writes
 * nothing to the catalog. Safe to run twice: the job row is locked inside the
 * transaction and a job already applied is left alone.
 */
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import {
  applyCommitPlan,
  CatalogDriftError,
  type CommitCounts,
  plannedCounts,
} from "@catalog/catalog";
import { decodeSnapshot, type Snapshot, SnapshotFormatError } from "@catalog/core";
import type { ImportJob } from "@catalog/db";
import {
  claimForCommit,
  findImportJob,
  JobFailure,
  lockImportJob,
  recordProgress,
  transitionImportJob,
  UnrecoverableJobError,
} from "@catalog/jobs";
import { LOG_PATTERNS } from "@catalog/observability";
import { getObjectBuffer } from "@catalog/storage";
import type { WorkerDependencies } from "../worker-dependencies";
import { toCommitPlan } from "./commit-plan-from-snapshot";
import { verifyCreatedRows } from "./db-verify";
import { storeJobReport } from "./job-report";
import { runInCommitTransaction } from "./run-in-commit-transaction";

/** Commits import `importId`; returns the job as it ended, or undefined when there was nothing to do. */
export async function commitImport(
  importId: string,
  deps: WorkerDependencies,
): Promise<ImportJob | undefined> {
  const log = deps.logger.child({ job_id: importId, phase: "commit" });
  const job = await claimForCommit(deps.db, importId);
  if (!job) {
    const current = await findImportJob(deps.db, importId);
    log.info(
      { status: current?.status ?? "missing" },
      "Commit skipped: job is not awaiting a commit",
    );
    return undefined;
  }

  const stopTimer = deps.metrics.phaseDuration.startTimer({ phase: "commit" });
  try {
    const applied = await apply(job, deps);
    if (!applied) return findImportJob(deps.db, importId);
    deps.metrics.jobsTotal.inc({ phase: "commit", outcome: applied.job.status, mode: job.mode });
    const verified = (await verify(applied.job, deps)) ?? applied.job;
    await rewriteReport(verified, applied.snapshot, deps);
    return verified;
  } catch (error) {
    const failure = asCommitFailure(error);
    if (!failure) throw error;
    log.error(
      { err: error, failure_code: failure.code, details: failure.details },
      `${LOG_PATTERNS.commitError} ${importId}`,
    );
    deps.metrics.jobsTotal.inc({ phase: "commit", outcome: "failed", mode: job.mode });
    return transitionImportJob(deps.db, importId, ["running"], "failed", {
      failure_code: failure.code,
      failure_message: failure.message,
      failure_details: JSON.stringify(failure.details ?? null),
      retryable: failure.retryable,
      completed_at: new Date(),
    });
  } finally {
    stopTimer();
  }
}

/** Drift becomes SNAPSHOT_STALE with the keys; other JobFailures pass through. */
function asCommitFailure(error: unknown): JobFailure | undefined {
  if (error instanceof JobFailure) return error;
  if (error instanceof CatalogDriftError)
    return new JobFailure("SNAPSHOT_STALE", error.message, error.drift);
  // A concurrent writer inserted a row we were creating, after our existence check.
  if ((error as { code?: string }).code === "23505") {
    return new JobFailure(
      "SNAPSHOT_STALE",
      "A row the plan creates was created concurrently; nothing was written",
      {
        constraint: (error as { constraint?: string }).constraint,
        detail: (error as { detail?: string }).detail,
      },
    );
  }
  return undefined;
}

/** Reads and checks the snapshot, then applies it; undefined when another delivery already did. */
async function apply(
  job: ImportJob,
  deps: WorkerDependencies,
): Promise<{ job: ImportJob; snapshot: Snapshot } | undefined> {
  const { db, store, metrics, logger } = deps;
  if (!job.snapshot_key || !job.snapshot_hash)
    throw new UnrecoverableJobError("SNAPSHOT_INVALID", `Job ${job.id} has no snapshot recorded`);
  const bytes = await getObjectBuffer(store, job.snapshot_key);
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== job.snapshot_hash.trim()) {
    metrics.snapshotIntegrityFailures.inc();
    logger.error(
      { job_id: job.id, phase: "commit", expected: job.snapshot_hash, actual },
      LOG_PATTERNS.snapshotIntegrity,
    );
    throw new JobFailure(
      "SNAPSHOT_INTEGRITY_FAILED",
      `${LOG_PATTERNS.snapshotIntegrity}: the snapshot's SHA-256 differs from the recorded one`,
      {
        key: job.snapshot_key,
        expected: job.snapshot_hash.trim(),
        actual,
      },
    );
  }
  const snapshot = readSnapshot(bytes);
  if (snapshot.job_id !== job.id)
    throw new JobFailure("SNAPSHOT_INTEGRITY_FAILED", "The snapshot belongs to another job");
  const plan = toCommitPlan(snapshot);
  const promised = plannedCounts(plan);
  const total =
    promised.products.create +
    promised.products.update +
    promised.variants.create +
    promised.variants.update;
  await recordProgress(db, job.id, { phase: "commit", done: 0, total });

  const finished = await runInCommitTransaction(
    db,
    deps.limits.commitTimeoutMs,
    async (trx, checkDeadline) => {
      const locked = await lockImportJob(trx, job.id);
      if (locked?.status !== "running") return undefined;
      const done = await applyCommitPlan(trx, job.id, plan);
      checkDeadline();
      if (!isDeepStrictEqual(done, promised)) {
        // Rolls the transaction back. The same plan on the same catalog would do the
        // same again, so this is never retried.
        throw new UnrecoverableJobError(
          "COMMIT_COUNT_MISMATCH",
          `Commit of ${job.id} did other counts than its plan promised; rolled back, nothing was written`,
          { done, promised },
        );
      }
      const finished = await transitionImportJob(
        trx,
        job.id,
        ["running"],
        locked.error_count ? "partial" : "success",
        {
          result: JSON.stringify(done satisfies CommitCounts),
          completed_at: new Date(),
          retryable: false,
          progress: JSON.stringify({ phase: "commit", done: total, total }),
        },
      );
      if (!finished) throw new Error(`Job ${job.id} left 'running' during its commit`);
      return finished;
    },
  );
  return finished && { job: finished, snapshot };
}

/**
 * The snapshot document in `bytes` (whose hash already matched). Bytes that are
 * not a snapshot fail the same way on every attempt: never retried.
 */
function readSnapshot(bytes: Buffer): Snapshot {
  try {
    return decodeSnapshot(bytes);
  } catch (error) {
    if (!(error instanceof SnapshotFormatError)) throw error;
    throw new UnrecoverableJobError(
      "SNAPSHOT_INVALID",
      `The snapshot cannot be read: ${error.message}`,
    );
  }
}

/**
 * Rewrites the report with the result and db_verify. The commit has happened
 * by now: a failure here is logged and leaves the validation report in place.
 */
async function rewriteReport(
  job: ImportJob,
  snapshot: Snapshot,
  deps: WorkerDependencies,
): Promise<void> {
  try {
    await storeJobReport(deps.db, deps.store, job, snapshot);
  } catch (error) {
    deps.logger.warn(
      { err: error, job_id: job.id, phase: "commit" },
      "Could not rewrite the report after commit",
    );
  }
}

/** db_verify (SPEC §6): looks up every created product and variant after the transaction. */
async function verify(job: ImportJob, deps: WorkerDependencies): Promise<ImportJob | undefined> {
  const report = await verifyCreatedRows(deps.db, job.id);
  if (!report.created_entities_found_in_db) {
    deps.metrics.dbVerifyFailures.inc();
    deps.logger.error(
      { job_id: job.id, phase: "commit", db_verify: report },
      `${LOG_PATTERNS.dbVerifyFailed} ${job.id}`,
    );
  }
  return transitionImportJob(deps.db, job.id, [job.status], job.status, {
    db_verify: JSON.stringify(report),
  });
}
