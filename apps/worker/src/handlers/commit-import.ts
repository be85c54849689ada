/**
 * The commit job (SPEC §5–6): reads only the snapshot, hashing it as it streams
 * from S3, checks its SHA-256 against Postgres, reads its plan (only the plan:
 * the bytes are proven, the rest is not parsed), applies the plan in one
 * transaction (locks on the rows it relies on, drift check, writes, change log,
 * the job's final status), then verifies the created rows in the database
 * (db_verify) and enqueues the report of the result (report work). Commits whose rows do not overlap run at
 * the same time (see apply-commit-plan.ts and run-in-commit-transaction.ts). A refused commit (integrity,
 * drift, timeout) writes nothing to the catalog. Safe to run twice: the job row
 * is locked inside the transaction and a job already applied is left alone; a
 * committed job whose db_verify is missing (a crash after COMMIT) still owes the
 * post-commit work, and a redelivery does it.
 */
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import {
  applyCommitPlan,
  CatalogDriftError,
  type CommitCounts,
  type LockedRows,
  lockPlanRows,
  plannedCounts,
} from "@catalog/catalog";
import { decodeSnapshotPlan, SnapshotFormatError, type SnapshotPlan } from "@catalog/core";
import type { ImportJob } from "@catalog/db";
import { failpoint } from "@catalog/failpoints";
import {
  claimForCommit,
  completePostCommit,
  failCommit,
  findImportJob,
  finishCommit,
  JobFailure,
  lockImportJob,
  owesPostCommit,
  recordProgress,
  UnrecoverableJobError,
} from "@catalog/jobs";
import { LOG_PATTERNS } from "@catalog/observability";
import { getObjectStream } from "@catalog/storage";
import type { WorkerDependencies } from "../worker-dependencies";
import { toCommitPlan } from "./commit-plan-from-snapshot";
import { verifyCreatedRows } from "./db-verify";
import { requestReportWork } from "./report-import";
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
    if (current && owesPostCommit(current)) return completePostCommitWork(current, deps);
    log.info(
      { status: current?.status ?? "missing" },
      "Commit skipped: job is not awaiting a commit",
    );
    return undefined;
  }
  await failpoint("commit.claimed");

  // The commit's duration is its own work: the wait for the commit lock is not counted.
  const started = performance.now();
  let lockWaitMs = 0;
  let applied: ImportJob | undefined;
  try {
    applied = await apply(job, deps, (waitedMs) => {
      lockWaitMs = waitedMs;
    });
  } catch (error) {
    const failure = asCommitFailure(error);
    if (!failure) throw error;
    log.error(
      { err: error, failure_code: failure.code, details: failure.details },
      `${LOG_PATTERNS.commitError} ${importId}`,
    );
    deps.metrics.jobsTotal.inc({ phase: "commit", outcome: "failed", mode: job.mode });
    return failCommit(deps.db, importId, failure);
  } finally {
    const seconds = (performance.now() - started - lockWaitMs) / 1000;
    deps.metrics.phaseDuration.observe({ phase: "commit" }, seconds);
  }
  if (!applied) {
    // Another delivery applied it; finish what it may have left owed.
    const current = await findImportJob(deps.db, importId);
    return current && owesPostCommit(current) ? completePostCommitWork(current, deps) : current;
  }
  deps.metrics.jobsTotal.inc({ phase: "commit", outcome: applied.status, mode: job.mode });
  return completePostCommitWork(applied, deps);
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
  onLockTaken: (waitedMs: number) => void,
): Promise<ImportJob | undefined> {
  const { db } = deps;
  // The bytes are not kept: only the plan is, for the transaction.
  const plan = toCommitPlan(readPlan(job, await readSnapshotBytes(job, deps)));
  const promised = plannedCounts(plan);
  const total =
    promised.products.create +
    promised.products.update +
    promised.variants.create +
    promised.variants.update;
  await recordProgress(db, job.id, { phase: "commit", done: 0, total });
  await failpoint("commit.snapshot-read");

  const finished = await runInCommitTransaction<
    ImportJob | undefined,
    { job: ImportJob; rows: LockedRows } | undefined
  >(
    db,
    {
      jobId: job.id,
      timeoutMs: deps.limits.commitTimeoutMs,
      logger: deps.logger,
      onLockTaken,
      catalogLock: "shared",
    },
    async (trx, checkDeadline, locked) => {
      if (!locked) return undefined;
      const done = await applyCommitPlan(trx, job.id, plan, locked.rows);
      await failpoint("commit.tx.change-logged");
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
      const finished = await finishCommit(
        trx,
        job.id,
        locked.job.error_count ? "partial" : "success",
        {
          result: JSON.stringify(done satisfies CommitCounts),
          completed_at: new Date(),
          retryable: false,
          progress: JSON.stringify({ phase: "commit", done: total, total }),
        },
      );
      if (!finished) throw new Error(`Job ${job.id} left 'running' during its commit`);
      await failpoint("commit.tx.finished");
      return finished;
    },
    // Before the budget: the job's row, then the plan's rows (waits for overlapping commits).
    async (trx) => {
      await failpoint("commit.tx.open");
      const lockedJob = await lockImportJob(trx, job.id);
      if (lockedJob?.status !== "running") return undefined;
      return { job: lockedJob, rows: await lockPlanRows(trx, plan) };
    },
  );
  return finished;
}

/**
 * The job's snapshot bytes, hashed as they stream from S3 and checked against the
 * SHA-256 recorded at validation (SNAPSHOT_INTEGRITY_FAILED otherwise: logged,
 * counted, nothing written).
 */
async function readSnapshotBytes(job: ImportJob, deps: WorkerDependencies): Promise<Buffer> {
  const { store, metrics, logger } = deps;
  if (!job.snapshot_key || !job.snapshot_hash)
    throw new UnrecoverableJobError("SNAPSHOT_INVALID", `Job ${job.id} has no snapshot recorded`);
  const hash = createHash("sha256");
  const chunks: Buffer[] = [];
  for await (const chunk of await getObjectStream(store, job.snapshot_key)) {
    hash.update(chunk as Buffer);
    chunks.push(chunk as Buffer);
  }
  const actual = hash.digest("hex");
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
  return Buffer.concat(chunks);
}

/** The plan of the job's checked snapshot bytes (only the plan is parsed). */
function readPlan(job: ImportJob, bytes: Buffer): SnapshotPlan {
  const snapshot = refuseUnreadable(() => decodeSnapshotPlan(bytes));
  if (snapshot.job_id !== job.id)
    throw new JobFailure("SNAPSHOT_INTEGRITY_FAILED", "The snapshot belongs to another job");
  return snapshot;
}

/**
 * The work owed after the commit's transaction (SPEC §6): db_verify, recorded on
 * the job; then the report of the result (asked for by finishCommit, pending
 * since) is enqueued as report work of its own (report-import.ts), which shows
 * db_verify. Until db_verify is recorded the job owes this work
 * (`owesPostCommit`), so a crash in here leaves it for a redelivery or the
 * reaper; a crash after it leaves the report work to the reaper (report pending,
 * no queue job). An error is thrown for the queue to retry. Returns the job as it is now.
 */
export async function completePostCommitWork(
  job: ImportJob,
  deps: WorkerDependencies,
): Promise<ImportJob | undefined> {
  await failpoint("post-commit.started");
  const report = await verifyCreatedRows(deps.db, job.id);
  if (!report.created_entities_found_in_db) {
    deps.metrics.dbVerifyFailures.inc();
    deps.logger.error(
      { job_id: job.id, phase: "commit", db_verify: report },
      `${LOG_PATTERNS.dbVerifyFailed} ${job.id}`,
    );
  }
  await failpoint("post-commit.verified");
  const completed =
    (await completePostCommit(deps.db, job.id, { dbVerify: report })) ??
    (await findImportJob(deps.db, job.id));
  await failpoint("post-commit.recorded");
  await requestReportWork(deps, completed);
  return completed;
}

function refuseUnreadable<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof SnapshotFormatError)) throw error;
    throw new UnrecoverableJobError(
      "SNAPSHOT_INVALID",
      `The snapshot cannot be read: ${error.message}`,
    );
  }
}
