/**
 * `POST /api/admin/import-jobs/validate/`: multipart `file`, `mode` and
 * `callback_url` → the
 * file streamed to `inputs/<job-id>/<safe-name>` → a `pending` job and its
 * validate work enqueued (202), or the earlier job when idempotency applies
 * (200, the just-stored copy deleted).
 */

import { randomUUID } from "node:crypto";
import { toJobResource } from "@catalog/jobs";
import { deleteObject } from "@catalog/storage";
import type { RequestHandler } from "express";
import type { ApiDependencies } from "../app";
import { principalOf } from "../auth/require-role";
import { requestIdOf } from "../http/request-id";
import { receiveUpload } from "../upload/receive-upload";
import { checkCallbackUrl } from "./callback-url";
import { createOrReuseImportJob } from "./create-import-job";
import { startValidation } from "./enqueue-work";
import { idempotencyKey, parseRequest, uploadMode } from "./import-job.schemas";

/** The object key of a job's uploaded file. */
export const inputKey = (jobId: string, safeName: string) => `inputs/${jobId}/${safeName}`;

export function uploadImport(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    const principal = principalOf(response);
    const key = parseRequest(idempotencyKey, request.get("idempotency-key"), "Idempotency-Key");
    // The id is chosen up front: it names the object the file streams into.
    const jobId = randomUUID();
    const upload = await receiveUpload(request, {
      store: deps.store,
      logger: deps.logger,
      maxFileBytes: deps.limits.maxFileBytes,
      fileField: "file",
      fields: {
        mode: (value) => parseRequest(uploadMode, value, "mode"),
        callback_url: (value) => checkCallbackUrl(value, deps.webhooks.allowedHosts),
      },
      objectKey: (safeName) => inputKey(jobId, safeName),
    });

    let outcome: Awaited<ReturnType<typeof createOrReuseImportJob>>;
    try {
      outcome = await createOrReuseImportJob(deps.db, {
        jobId,
        mode: uploadMode.parse(upload.fields.mode ?? "strict"),
        createdBy: principal.email,
        idempotencyKey: key,
        idempotencyKeyTtlHours: deps.idempotency.keyTtlHours,
        callbackUrl:
          upload.fields.callback_url === undefined
            ? null
            : checkCallbackUrl(upload.fields.callback_url, deps.webhooks.allowedHosts),
        requestId: requestIdOf(request),
        fileName: upload.fileName,
        contentType: upload.contentType,
        stored: upload.stored,
      });
    } catch (error) {
      await deleteObject(deps.store, upload.stored.key).catch(() => undefined);
      throw error;
    }
    const { job, created } = outcome;
    if (!created) {
      // The earlier job keeps its own copy; a failed delete only leaves an orphan to clean up.
      await deleteObject(deps.store, upload.stored.key).catch((error) =>
        request.log.warn(
          { err: error, key: upload.stored.key },
          "Could not delete a duplicate upload",
        ),
      );
      request.log.info(
        { job_id: job.id, phase: "upload", file_hash: upload.stored.sha256 },
        "Upload matched an existing job",
      );
      response.status(200).json(toJobResource(job, deps.baseUrl));
      return;
    }

    await startValidation(deps, job);
    request.log.info(
      { job_id: job.id, phase: "upload", size: upload.stored.sizeBytes, mode: job.mode },
      "Upload stored, validation enqueued",
    );
    const resource = toJobResource(job, deps.baseUrl);
    response.status(202).location(resource.links.self).json(resource);
  };
}
