/**
 * `POST /api/admin/import-jobs/<id>/commit/` (importer): records a commit
 * request and enqueues the commit work (SPEC §6). Allowed on a `validated` job,
 * or a `failed` one whose commit failed for a retryable reason.
 *
 * The request is taken with ONE conditional UPDATE, so of two concurrent
 * requests exactly one gets 202 and the other 409: a `validated` job is taken
 * once (commit_requested_at goes from null to now()); a retryable `failed` job
 * is taken once per failure (commit_requested_at must be older than the
 * failure's updated_at, which the UPDATE itself sets equal). Each accepted
 * request bumps commit_attempts, which names its queue job (`commit-<id>-<n>`).
 *
 * A request can always make progress: when the job is `validated` with a commit
 * requested but that request's queue work is gone, or ended without claiming
 * the job (a stranded commit), a new request renews it under a new attempt
 * instead of answering 409 (the reaper does the same on its own).
 */
import type { ImportJob } from "@catalog/db";
import {
  hasLiveQueueJob,
  releaseCommitRequest,
  renewCommitRequest,
  requestCommit as takeCommitRequest,
  toJobResource,
} from "@catalog/jobs";
import type { RequestHandler } from "express";
import type { ApiDependencies } from "../app";
import { AppError } from "../errors";
import { enqueueOrUnavailable } from "./enqueue-work";
import { commitBody, parseRequest } from "./import-job.schemas";
import { jobFromParams } from "./job-queries";

/**
 * Why a job in this state can never be committed, or undefined. Whether a
 * commit was already requested is left to the conditional UPDATE alone, so
 * there is one place that decides it.
 */
function commitRefusal(job: ImportJob): string | undefined {
  if (job.status === "validated") return undefined;
  if (job.status === "failed" && job.retryable) return undefined;
  if (job.status === "failed") return "This job failed for a reason a commit retry cannot fix";
  return `A ${job.status} job cannot be committed`;
}

/**
 * A request this old whose queue work will not run is stranded. A request just
 * taken is enqueued within seconds (or given back), so it is never mistaken.
 */
const STRANDED_AFTER_S = 30;

/**
 * The job with its stranded commit request renewed (new attempt), or undefined
 * when its request's queue work is still going to run (or the job moved on).
 */
async function renewStrandedRequest(
  deps: ApiDependencies,
  job: ImportJob,
): Promise<ImportJob | undefined> {
  if (job.status !== "validated" || job.commit_requested_at === null) return undefined;
  const live = await hasLiveQueueJob(deps.queues, "commit", job.id, job.commit_attempts).catch(
    (error: unknown) => {
      throw new AppError("UNAVAILABLE", "The commit queue is unavailable; try again later", {
        cause: error instanceof Error ? error.message : String(error),
      });
    },
  );
  if (live) return undefined;
  const renewed = await renewCommitRequest(deps.db, job.id, job.commit_attempts, STRANDED_AFTER_S);
  if (renewed)
    deps.logger.warn(
      { job_id: job.id, phase: "commit", attempt: renewed.commit_attempts },
      "Stranded commit request renewed",
    );
  return renewed;
}

export function requestCommit(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    const body = parseRequest(commitBody, request.body ?? {}, "body");
    const job = await jobFromParams(deps, request);
    const refusal = commitRefusal(job);
    if (refusal) throw new AppError("INVALID_STATE", refusal, { status: job.status });
    if ((job.error_count ?? 0) > 0 && !body.allow_partial) {
      throw new AppError(
        "UNPROCESSABLE",
        `The job has ${job.error_count} row errors; commit with allow_partial=true to apply the valid rows`,
        { error_count: job.error_count },
      );
    }
    const taken =
      (await takeCommitRequest(deps.db, job.id, body.allow_partial)) ??
      (await renewStrandedRequest(deps, job));
    if (!taken) {
      throw new AppError("INVALID_STATE", "A commit of this job is already requested or running");
    }
    try {
      await enqueueOrUnavailable(deps.queues, "commit", taken.id, {
        attempt: taken.commit_attempts,
      });
    } catch (error) {
      await releaseCommitRequest(deps.db, job, taken);
      throw error;
    }
    deps.logger.info(
      { job_id: taken.id, phase: "commit", attempt: taken.commit_attempts },
      "Commit requested",
    );
    response.status(202).json(toJobResource(taken, deps.baseUrl));
  };
}
