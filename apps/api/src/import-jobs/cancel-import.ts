/**
 * `POST /api/admin/import-jobs/<id>/cancel/` (importer): a `pending`,
 * `validating` or `validated` job becomes `cancelled` (the lifecycle's `cancel`
 * transition, one conditional UPDATE, so it cannot race a worker's move); a job
 * in a commit, or finished, answers 409.
 *
 * Postgres decides: once cancelled, every handler finds the job in no state to
 * act on, so its queue work is a no-op. Work still waiting in the queue is also
 * removed, best effort (work already running cannot be removed: a validation
 * stops at its next check and writes no snapshot).
 */
import { cancelImportJob, type ImportQueues, toJobResource } from "@catalog/jobs";
import type { ImportJob } from "@catalog/db";
import type { Logger } from "@catalog/observability";
import { queueJobId } from "@catalog/queue";
import type { RequestHandler } from "express";
import type { ApiDependencies } from "../app";
import { AppError } from "../errors";
import { jobFromParams } from "./job-queries";

/** Removes the job's validate and commit work still waiting in the queues. */
async function removeQueuedWork(queues: ImportQueues, job: ImportJob, logger: Logger) {
  const ids = [
    ["validate", queueJobId("validate", job.id)],
    ["commit", queueJobId("commit", job.id, job.commit_attempts)],
  ] as const;
  for (const [kind, id] of ids) {
    try {
      const work = await queues[kind].getJob(id);
      const state = await work?.getState();
      if (work && (state === "waiting" || state === "delayed" || state === "prioritized")) {
        await work.remove();
      }
    } catch (error) {
      // Removing is tidiness only: the handler finds the job cancelled and does nothing.
      logger.warn({ err: error, job_id: job.id, queue_job: id }, "Could not remove queued work");
    }
  }
}

export function cancelImport(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    const job = await jobFromParams(deps, request);
    const cancelled = await cancelImportJob(deps.db, job.id);
    if (!cancelled) {
      const current = (await jobFromParams(deps, request)).status;
      throw new AppError(
        "INVALID_STATE",
        current === "running"
          ? "The job is in a commit; a commit cannot be cancelled"
          : `A ${current} job cannot be cancelled`,
        { status: current },
      );
    }
    await removeQueuedWork(deps.queues, cancelled, deps.logger);
    deps.logger.info({ job_id: job.id, from: job.status }, "Job cancelled");
    response.status(200).json(toJobResource(cancelled, deps.baseUrl));
  };
}
