/**
 * The heartbeat of a job in progress: while its handler runs, the job's
 * `heartbeat_at` is refreshed every `intervalMs`, whatever the handler is doing
 * (a step with no progress to report, a wait on S3, on Postgres or on the
 * commit's locks). The reaper fails only jobs without a heartbeat for
 * STUCK_AFTER_S, so a slow but alive job is never reaped; a job whose worker
 * died stops beating and is.
 */
import type { JobStatus } from "@catalog/db";
import { recordHeartbeat } from "@catalog/jobs";
import type { WorkerDependencies } from "./worker-dependencies";

/**
 * Runs `work` while beating for `importId` in `status` (no heartbeat without
 * one: a revert holds no working status). A failed heartbeat (Postgres down)
 * is logged and tried again at the next beat; one still in flight is not
 * doubled.
 */
export async function withHeartbeat<T>(
  deps: Pick<WorkerDependencies, "db" | "logger">,
  beat: { importId: string; status: JobStatus | undefined; intervalMs: number },
  work: () => Promise<T>,
): Promise<T> {
  const { importId, status, intervalMs } = beat;
  if (!status) return work();
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = true;
    recordHeartbeat(deps.db, importId, status)
      .catch((error) =>
        deps.logger.warn({ err: error, job_id: importId }, "Heartbeat could not be recorded"),
      )
      .finally(() => {
        inFlight = false;
      });
  }, intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
