/**
 * `POST /api/admin/import-jobs/<id>/revert/` (admin): enqueues the revert of a
 * committed (`success` or `partial`) job. The worker re-checks the state and
 * conflicts under its transaction, so a duplicate request does no harm; a
 * revert refused for a conflict may be requested again once it is resolved.
 */
import { toJobResource } from "@catalog/jobs";
import type { RequestHandler } from "express";
import type { ApiDependencies } from "../app";
import { AppError } from "../errors";
import { requestIdOf } from "../http/request-id";
import { enqueueOrUnavailable } from "./enqueue-work";
import { jobFromParams } from "./job-queries";

const REVERTIBLE = new Set(["success", "partial"]);

export function requestRevert(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    const job = await jobFromParams(deps, request);
    if (!REVERTIBLE.has(job.status)) {
      throw new AppError("INVALID_STATE", `A ${job.status} job cannot be reverted`, {
        status: job.status,
      });
    }
    await enqueueOrUnavailable(deps.queues, "revert", job.id, {
      replaceFinished: true,
      requestId: requestIdOf(request),
    });
    request.log.info({ job_id: job.id, phase: "revert" }, "Revert requested");
    response.status(202).json(toJobResource(job, deps.baseUrl));
  };
}
