/**
 * `POST /api/admin/import-jobs/<id>/revert/` (admin): enqueues the revert of a
 * committed (`success` or `partial`) job, through @catalog/jobs'
 * submitRevertRequest (the same path as `importctl revert`).
 */
import { submitRevertRequest, toJobResource } from "@catalog/jobs";
import type { RequestHandler } from "express";
import type { ApiDependencies } from "../app";
import { requestIdOf } from "../http/request-id";
import { jobFromParams } from "./job-queries";

export function requestRevert(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    const job = await jobFromParams(deps, request);
    await submitRevertRequest(deps, job, { requestId: requestIdOf(request) });
    request.log.info({ job_id: job.id, phase: "revert" }, "Revert requested");
    response.status(202).json(toJobResource(job, deps.baseUrl));
  };
}
