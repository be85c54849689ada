/**
 * The API's OpenAPI 3.1 description, generated from the zod schemas the routes
 * validate their input with (`import-job.schemas.ts`) and the schemas of what
 * they answer (`resource.schemas.ts`), through zod 4's own JSON Schema output
 * (zod-openapi). Served at `GET /api/openapi.json`; `npm run openapi` writes
 * it to `packages/client/openapi.json`, from which the typed client is
 * generated, and CI fails when that file is stale.
 */
import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject } from "zod-openapi";
import { ERROR_STATUS, type ErrorCode } from "../errors";
import {
  changeListQuery,
  commitBody,
  idempotencyKey,
  issueListQuery,
  jobIdParams,
  jobListQuery,
  uploadForm,
} from "../import-jobs/import-job.schemas";
import {
  changePageSchema,
  deliveryListSchema,
  errorResponse,
  healthSchema,
  issuePageSchema,
  jobPageSchema,
  jobSchema,
  livenessSchema,
  principalSchema,
  readinessSchema,
  webhookEventSchema,
} from "./resource.schemas";

/** The server the committed document names (the local default of `npm start`). */
export const DEFAULT_SERVER_URL = "http://127.0.0.1:3000";

const STATUS_TEXT: Record<number, string> = {
  400: "Malformed request (bad id, query parameter, field, header or JSON body)",
  401: "No bearer token, or an unknown or revoked one",
  403: "The token's role may not do this",
  404: "No such job (or no such resource of it yet)",
  409: "The job is not in a state that allows this",
  413: "The file is larger than MAX_FILE_BYTES; nothing was stored",
  415: "Neither an XLSX workbook nor a CSV text file; nothing was stored",
  422: "Understood but refused (see the operation's description)",
  503: "Postgres, Redis or S3 is unavailable; try again later",
};

const json = <Schema>(schema: Schema) => ({ "application/json": { schema } });

/** Error responses by status, each with the one error shape. */
function errors(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: STATUS_TEXT[status] ?? "Error", content: json(errorResponse) },
    ]),
  );
}

const AUTH = [401, 403];
const bearer = [{ bearer: [] }];

const jobResponse = (description: string) => ({ description, content: json(jobSchema) });

/** An operation on one job: `{id}` path parameter, bearer auth, 400/401/403/404. */
function jobOperation(
  operation: ZodOpenApiOperationObject & { errorStatuses?: number[] },
): ZodOpenApiOperationObject {
  const { errorStatuses = [], ...rest } = operation;
  return {
    security: bearer,
    ...rest,
    requestParams: { ...rest.requestParams, path: jobIdParams },
    responses: { ...rest.responses, ...errors(400, ...AUTH, 404, ...errorStatuses) },
  };
}

const BASE = "/api/admin/import-jobs";

/** The upload's headers. */
const idempotencyHeader = z.object({ "Idempotency-Key": idempotencyKey });

function paths() {
  return {
    [`${BASE}/`]: {
      get: {
        operationId: "listImportJobs",
        summary: "List import jobs, newest first (viewer)",
        description:
          "Filters combine with AND. Page with `limit`/`offset`, or follow `next` " +
          "(cursor pagination: no job is skipped or repeated while new ones arrive).",
        security: bearer,
        requestParams: { query: jobListQuery },
        responses: {
          "200": { description: "A page of jobs", content: json(jobPageSchema) },
          ...errors(400, ...AUTH),
        },
      },
    },
    [`${BASE}/validate/`]: {
      post: {
        operationId: "uploadImport",
        summary: "Upload a file and start its validation (importer)",
        description:
          "The file streams to object storage. Fields may come before or after `file`. " +
          "Idempotent: the same bytes and mode while an earlier job for them is " +
          "pending/validating/validated answer that job (200). With `Idempotency-Key` " +
          "(IETF draft httpapi-idempotency-key-header), a repeat of the same request answers " +
          "the first job (200) and the same key with a different request answers 422.",
        security: bearer,
        requestParams: { header: idempotencyHeader },
        requestBody: { required: true, content: { "multipart/form-data": { schema: uploadForm } } },
        responses: {
          "200": jobResponse("An earlier job for the same upload (idempotency)"),
          "202": jobResponse("The new job, validation enqueued"),
          ...errors(400, ...AUTH, 413, 415, 422, 503),
        },
      },
    },
    [`${BASE}/{id}/`]: {
      get: jobOperation({
        operationId: "getImportJob",
        summary: "One job: status, progress, summary, counts, links (viewer)",
        responses: { "200": jobResponse("The job") },
      }),
    },
    [`${BASE}/{id}/issues/`]: {
      get: jobOperation({
        operationId: "listImportJobIssues",
        summary: "The job's row-level issues (viewer); empty until validation has finished",
        requestParams: { query: issueListQuery },
        responses: { "200": { description: "A page of issues", content: json(issuePageSchema) } },
      }),
    },
    [`${BASE}/{id}/report/`]: {
      get: jobOperation({
        operationId: "downloadImportReport",
        summary: "The XLSX report itself (viewer)",
        description:
          "The report of the job as it is now, once its `report_status` is `ready`. The report is " +
          "built by queue work after the status that asks for it (validated; success/partial, " +
          "whose report shows the commit's result and db_verify): until then 409 " +
          "`REPORT_NOT_READY` with `Retry-After` (seconds). After a commit the validation's " +
          "report is not served while the result's is built. 409 `REPORT_FAILED` when it can " +
          "never be built; 404 when the job has no report (it never validated).",
        responses: {
          "409": {
            description:
              "REPORT_NOT_READY: the report is being built, ask again after `Retry-After` " +
              "seconds; REPORT_FAILED: it could not be built",
            headers: {
              "Retry-After": {
                description: "Seconds to wait before asking again (REPORT_NOT_READY only)",
                schema: { type: "integer", minimum: 1 },
              },
            },
            content: json(errorResponse),
          },
          "200": {
            description: "The report, as an attachment named import_report_<id>.xlsx",
            content: {
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                schema: { type: "string", contentMediaType: "application/octet-stream" },
              },
            },
          },
        },
      }),
    },
    [`${BASE}/{id}/changes/`]: {
      get: jobOperation({
        operationId: "listImportJobChanges",
        summary: "The job's planned changes, or the applied ones after commit (viewer)",
        description:
          "Candidates (categories, series, brands), then products, then variants, each by key, " +
          "as commit applies them; unchanged entities are not listed. Read from the job's " +
          "snapshot, which commit applies exactly: after commit these are the applied changes. " +
          "Empty (`source: null`) until the job is validated; 404 once the snapshot is past " +
          "retention.",
        requestParams: { query: changeListQuery },
        responses: {
          "200": { description: "A page of changes", content: json(changePageSchema) },
        },
      }),
    },
    [`${BASE}/{id}/deliveries/`]: {
      get: jobOperation({
        operationId: "listImportJobDeliveries",
        summary: "The job's webhook events and every delivery attempt (viewer)",
        responses: {
          "200": { description: "Events, oldest first", content: json(deliveryListSchema) },
        },
      }),
    },
    [`${BASE}/{id}/commit/`]: {
      post: jobOperation({
        operationId: "commitImportJob",
        summary:
          "Request the commit of a validated job, or a retry of a retryable failure (importer)",
        description:
          "422 when the job has row errors and `allow_partial` is not true (the job is unchanged).",
        requestBody: { required: false, content: json(commitBody) },
        responses: { "202": jobResponse("Commit requested and enqueued") },
        errorStatuses: [409, 422, 503],
      }),
    },
    [`${BASE}/{id}/revert/`]: {
      post: jobOperation({
        operationId: "revertImportJob",
        summary: "Revert a committed (success or partial) job (admin)",
        responses: { "202": jobResponse("Revert enqueued") },
        errorStatuses: [409, 503],
      }),
    },
    [`${BASE}/{id}/revalidate/`]: {
      post: jobOperation({
        operationId: "revalidateImportJob",
        summary: "A new job from the same stored input (importer)",
        responses: {
          "200": jobResponse("A revalidation of this job that has not finished yet"),
          "202": jobResponse("The new job, validation enqueued"),
        },
        errorStatuses: [409, 503],
      }),
    },
    [`${BASE}/{id}/cancel/`]: {
      post: jobOperation({
        operationId: "cancelImportJob",
        summary: "Cancel a pending, validating or validated job (importer)",
        description:
          "The job becomes `cancelled` (a webhook `import_job.cancelled` follows when it has a " +
          "callback_url). Its queued work is removed or does nothing; a running validation " +
          "stops at its next check and leaves no snapshot. A job in a commit (`running`) or " +
          "finished answers 409.",
        responses: { "200": jobResponse("The cancelled job") },
        errorStatuses: [409],
      }),
    },
    "/api/admin/me/": {
      get: {
        operationId: "getCurrentPrincipal",
        summary: "Who the bearer token belongs to, and its role (viewer)",
        security: bearer,
        responses: {
          "200": { description: "The token's owner", content: json(principalSchema) },
          ...errors(...AUTH),
        },
      },
    },
    "/api/admin/health/": {
      get: {
        operationId: "getHealth",
        summary:
          "Queue depths, jobs by status in the last 24 hours, stuck and failed jobs (viewer)",
        description:
          "The same report as `importctl health`, with the depth of each import queue. When " +
          "Redis is unavailable the rest still answers, with `queues: null` and `queues_error`.",
        security: bearer,
        responses: {
          "200": { description: "The health report", content: json(healthSchema) },
          ...errors(...AUTH),
        },
      },
    },
    "/healthz": {
      get: {
        operationId: "liveness",
        summary: "The process is alive",
        responses: { "200": { description: "Alive", content: json(livenessSchema) } },
      },
    },
    "/readyz": {
      get: {
        operationId: "readiness",
        summary: "Postgres, Redis and S3 all answer",
        responses: {
          "200": { description: "Ready", content: json(readinessSchema) },
          "503": { description: "A dependency is unreachable", content: json(readinessSchema) },
        },
      },
    },
    "/metrics": {
      get: {
        operationId: "metrics",
        summary: "Prometheus metrics",
        responses: {
          "200": {
            description: "Prometheus text format",
            content: { "text/plain": { schema: { type: "string" } } },
          },
        },
      },
    },
    "/api/openapi.json": {
      get: {
        operationId: "openapi",
        summary: "This document",
        responses: {
          "200": { description: "OpenAPI 3.1", content: json({ type: "object" }) },
        },
      },
    },
  } satisfies Record<string, Record<string, ZodOpenApiOperationObject>>;
}

/** What a callback_url receives (OpenAPI 3.1 `webhooks`). */
function webhooks() {
  return {
    importJobEvent: {
      post: {
        operationId: "importJobEvent",
        summary: "A phase of the job ended (Standard Webhooks)",
        description:
          "Sent to the upload's callback_url on every terminal status of a phase: " +
          "import_job.validated, .failed, .success, .partial, .reverted, .cancelled. " +
          'Verify `webhook-signature` (`v1,<base64 HMAC-SHA256 of "<webhook-id>.' +
          '<webhook-timestamp>.<body>">`, keyed by the base64 key after `whsec_` of ' +
          "WEBHOOK_SECRET), e.g. with the `standardwebhooks` library. A non-2xx answer or no " +
          "answer within WEBHOOK_TIMEOUT_S is retried with backoff for up to 24 hours, with " +
          "the same `webhook-id` (deduplicate on it).",
        requestParams: {
          header: z.object({
            "webhook-id": z.string().meta({ description: "Unique per event, same on retries" }),
            "webhook-timestamp": z.string().meta({ description: "Seconds since the epoch" }),
            "webhook-signature": z.string().meta({ description: "v1,<base64 signature>" }),
          }),
        },
        requestBody: { required: true, content: json(webhookEventSchema) },
        responses: { "200": { description: "Any 2xx acknowledges the event" } },
      },
    },
  } satisfies Record<string, Record<string, ZodOpenApiOperationObject>>;
}

/** The document, with `baseUrl` as its server. */
export function openApiDocument(baseUrl = DEFAULT_SERVER_URL): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Catalog import API",
      version: "1.0.0",
      description:
        "Two-phase (validate, commit) bulk import of a product catalog. Every path also " +
        "answers without its trailing slash. Every error is " +
        '`{"error": {"code", "message", "details"?}}`; codes and statuses: ' +
        (Object.entries(ERROR_STATUS) as [ErrorCode, number][])
          .map(([code, status]) => `${code} ${status}`)
          .join(", "),
    },
    servers: [{ url: baseUrl }],
    security: [],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "A token from `importctl tokens create`; roles viewer < importer < admin",
        },
      },
    },
    paths: paths(),
    webhooks: webhooks(),
  });
}
