/**
 * The daily retention task (run from the worker's maintenance schedule): deletes
 * the inputs, reports and snapshots of jobs finished more than
 * SNAPSHOT_RETENTION_DAYS ago, and objects no job refers to, never the snapshot
 * of a job that can still be committed (see @catalog/jobs object-retention).
 * `importctl snapshots cleanup` shows the same plan.
 */
import { applyRetention, planRetention, type RetentionResult } from "@catalog/jobs";
import type { WorkerDependencies } from "../worker-dependencies";

/** Who the deletion records name. */
export const RETENTION_ACTOR = "retention";

/** Plans and applies the retention once; logs what it deleted. */
export async function runRetention(
  deps: WorkerDependencies,
  retentionDays: number,
): Promise<RetentionResult> {
  const log = deps.logger.child({ phase: "retention" });
  const plan = await planRetention(deps.db, deps.store, { retentionDays });
  const result = await applyRetention(deps.db, deps.store, plan, RETENTION_ACTOR);
  for (const item of result.deleted)
    log.info(
      { key: item.key, kind: item.kind, job_id: item.jobId, reason: item.reason },
      "Object deleted by the retention",
    );
  log.info(
    {
      scanned: plan.scanned,
      deleted: result.deleted.length,
      skipped: result.skipped.length,
      bytes: result.deleted.reduce((sum, item) => sum + item.sizeBytes, 0),
      retention_days: retentionDays,
    },
    "Retention finished",
  );
  return result;
}
