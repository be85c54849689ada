/**
 * `POST /api/admin/import-jobs/<id>/commit/` (importer): records a commit
 * request and enqueues the commit work (SPEC §6). Allowed on a `validated` job,
 * or a `failed` one whose commit failed for a retryable reason. The checks, the
 * conditional transition (of two concurrent requests exactly one gets 202, the
 * other 409) and the queue work are @catalog/jobs' submitCommitRequest, which
 * `importctl retry` uses too.
 */
import { submitCommitRequest, toJobResource } from "@catalog/jobs";
import type { RequestHandler } from "express";
import type { ApiDependencies } from "../app";
import { requestIdOf } from "../http/request-id";
import { commitBody, parseRequest } from "./import-job.schemas";
import { jobFromParams } from "./job-queries";

export function requestCommit(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    const body = parseRequest(commitBody, request.body ?? {}, "body");
    const job = await jobFromParams(deps, request);
    const taken = await submitCommitRequest(deps, job, {
      allowPartial: body.allow_partial,
      requestId: requestIdOf(request),
    });
    request.log.info(
      { job_id: taken.id, phase: "commit", attempt: taken.commit_attempts },
      "Commit requested",
    );
    response.status(202).json(toJobResource(taken, deps.baseUrl));
  };
}
