/**
 * `POST /api/admin/import-jobs/<id>/revalidate/` (importer): a new job from the
 * same stored input (shared, not copied), e.g. after a commit failed with
 * SNAPSHOT_STALE. Refused while the old job is still being worked on, and when
 * its input is no longer stored. A repeated request while the new job has not
 * finished validating returns that job (200) rather than making another.
 */
import { randomUUID } from "node:crypto";
import type { Database, ImportJob, JobStatus } from "@catalog/db";
import { createRevalidationJob, findRevalidationInProgress, toJobResource } from "@catalog/jobs";
import { headObject } from "@catalog/storage";
import type { RequestHandler } from "express";
import { type Kysely, sql } from "kysely";
import type { ApiDependencies } from "../app";
import { principalOf } from "../auth/require-role";
import { AppError } from "../errors";
import { requestIdOf } from "../http/request-id";
import { startValidation } from "./enqueue-work";
import { jobFromParams } from "./job-queries";

/** Statuses in which a worker may still be acting on the job. */
const IN_PROGRESS: readonly JobStatus[] = ["pending", "validating", "running"];

/** The new job, or one already made from `source` that has not finished validating. */
async function createRevalidation(
  db: Kysely<Database>,
  source: ImportJob,
  createdBy: string,
  requestId: string | undefined,
): Promise<{ job: ImportJob; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`import-revalidate:${source.id}`}, 0))`.execute(
      trx,
    );
    const earlier = await findRevalidationInProgress(trx, source.id);
    if (earlier) return { job: earlier, created: false };
    const job = await createRevalidationJob(trx, source, randomUUID(), createdBy, requestId);
    return { job, created: true };
  });
}

export function revalidateImport(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    const source = await jobFromParams(deps, request);
    if (IN_PROGRESS.includes(source.status)) {
      throw new AppError("INVALID_STATE", `Job ${source.id} is still ${source.status}`, {
        status: source.status,
      });
    }
    if (!(await headObject(deps.store, source.input_key))) {
      throw new AppError("INVALID_STATE", `The input of job ${source.id} is no longer stored`, {
        input_key: source.input_key,
      });
    }
    const { job, created } = await createRevalidation(
      deps.db,
      source,
      principalOf(response).email,
      requestIdOf(request),
    );
    if (!created) {
      response.status(200).json(toJobResource(job, deps.baseUrl));
      return;
    }
    await startValidation(deps, job);
    request.log.info(
      { job_id: job.id, phase: "validate", revalidated_from: source.id },
      "Revalidation enqueued",
    );
    const resource = toJobResource(job, deps.baseUrl);
    response.status(202).location(resource.links.self).json(resource);
  };
}
