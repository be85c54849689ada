/**
 * The API's OpenAPI 3.1 description, served at `GET /api/openapi.json`. Written
 * by hand next to the routes; a test checks that every mounted route appears
 * here, so the two cannot drift apart silently.
 */
import { CANONICAL_COLUMNS, ISSUE_CODES } from "@catalog/core";
import { IMPORT_MODES, JOB_STATUSES } from "@catalog/db";
import { ERROR_STATUS, type ErrorCode } from "../errors";

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: "null" }] });
const json = (schema: Schema) => ({ "application/json": { schema } });

const STATUS_TEXT: Record<number, string> = {
  400: "Malformed request (bad id, query parameter, field or JSON body)",
  401: "No bearer token, or an unknown or revoked one",
  403: "The token's role may not do this",
  404: "No such job (or no report yet)",
  405: "Method not allowed on this path",
  409: "The job is not in a state that allows this",
  413: "The file is larger than MAX_FILE_BYTES; nothing was stored",
  415: "Neither an XLSX workbook nor a CSV text file; nothing was stored",
  422: "The job has row errors and allow_partial is not true; the job is unchanged",
  503: "Postgres, Redis or S3 is unavailable",
};

/** Error responses by status, each with the one error shape. */
function errors(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: STATUS_TEXT[status], content: json(ref("Error")) },
    ]),
  );
}

const jobIdParameter = {
  name: "id",
  in: "path",
  required: true,
  description: "The import job's id",
  schema: { type: "string", format: "uuid" },
};

const pageParameters = (defaultLimit: number, maxLimit: number) => [
  {
    name: "limit",
    in: "query",
    schema: { type: "integer", minimum: 1, maximum: maxLimit, default: defaultLimit },
  },
  { name: "offset", in: "query", schema: { type: "integer", minimum: 0, default: 0 } },
];

const jobResponse = (description: string) => ({ description, content: json(ref("Job")) });

const entityCountProperties = {
  candidates: {
    type: "object",
    properties: {
      categories: { type: "integer" },
      series: { type: "integer" },
      brands: { type: "integer" },
    },
  },
  products: ref("ChangeCounts"),
  variants: ref("ChangeCounts"),
};

const schemas: Record<string, Schema> = {
  Error: {
    type: "object",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["code", "message"],
        properties: {
          code: { type: "string", enum: Object.keys(ERROR_STATUS) satisfies string[] },
          message: { type: "string" },
          details: { description: "Code-specific detail, e.g. the invalid query parameters" },
        },
      },
    },
  },
  ChangeCounts: {
    type: "object",
    properties: {
      create: { type: "integer" },
      update: { type: "integer" },
      unchanged: { type: "integer" },
    },
  },
  Summary: {
    type: "object",
    properties: {
      rows: {
        type: "object",
        properties: {
          total: { type: "integer" },
          valid: { type: "integer" },
          with_errors: { type: "integer" },
          with_warnings: { type: "integer" },
        },
      },
      errors: { type: "integer" },
      warnings: { type: "integer" },
      ...entityCountProperties,
    },
  },
  Job: {
    type: "object",
    required: ["id", "status", "mode", "file_name", "file_hash", "created_by", "links"],
    properties: {
      id: { type: "string", format: "uuid" },
      status: { type: "string", enum: [...JOB_STATUSES] },
      mode: { type: "string", enum: [...IMPORT_MODES] },
      file_name: { type: "string" },
      file_size: { type: "integer" },
      file_hash: { type: "string", description: "SHA-256 of the uploaded bytes (hex)" },
      snapshot_hash: nullable({ type: "string" }),
      created_by: { type: "string" },
      created_at: { type: "string", format: "date-time" },
      started_at: nullable({ type: "string", format: "date-time" }),
      validated_at: nullable({ type: "string", format: "date-time" }),
      completed_at: nullable({ type: "string", format: "date-time" }),
      progress: nullable({
        type: "object",
        properties: {
          phase: { type: "string", enum: ["upload", "validate", "commit", "revert"] },
          done: { type: "integer" },
          total: { type: "integer" },
        },
      }),
      failure: nullable({
        type: "object",
        properties: { code: { type: "string" }, message: { type: "string" }, details: {} },
      }),
      revert_refusal: nullable({
        type: "object",
        description:
          "Why the last revert was refused (the job keeps its status); details.conflicts lists the keys a later change touched",
        properties: {
          code: { type: "string" },
          message: { type: "string" },
          details: {},
          at: { type: "string", format: "date-time" },
        },
      }),
      summary: nullable(ref("Summary")),
      result: nullable({
        type: "object",
        description: "Counts as applied by commit",
        properties: entityCountProperties,
      }),
      db_verify: nullable({ type: "object" }),
      revalidated_from: nullable({ type: "string", format: "uuid" }),
      links: {
        type: "object",
        properties: Object.fromEntries(
          ["self", "issues", "report", "commit", "revert", "revalidate"].map((name) => [
            name,
            { type: "string", format: "uri" },
          ]),
        ),
      },
    },
  },
  JobPage: {
    type: "object",
    required: ["items", "total", "limit", "offset"],
    properties: {
      items: { type: "array", items: ref("Job") },
      total: { type: "integer" },
      limit: { type: "integer" },
      offset: { type: "integer" },
    },
  },
  Issue: {
    type: "object",
    properties: {
      row: nullable({ type: "integer", description: "Line number in the file" }),
      column: nullable({
        type: "string",
        description:
          "The canonical column (`specs` for too many specs), or the header as written for an unknown or duplicate column",
        examples: [...CANONICAL_COLUMNS, "specs"],
      }),
      code: { type: "string", enum: Object.keys(ISSUE_CODES) },
      severity: { type: "string", enum: ["error", "warning"] },
      message: { type: "string" },
      value: { description: "The offending cell value" },
    },
  },
  IssuePage: {
    type: "object",
    required: ["items", "total", "limit", "offset"],
    properties: {
      items: { type: "array", items: ref("Issue") },
      total: { type: "integer" },
      limit: { type: "integer" },
      offset: { type: "integer" },
    },
  },
  Upload: {
    type: "object",
    required: ["file"],
    properties: {
      file: {
        type: "string",
        contentMediaType: "application/octet-stream",
        description: "An XLSX workbook or a CSV file, at most MAX_FILE_BYTES",
      },
      mode: { type: "string", enum: [...IMPORT_MODES], default: "strict" },
    },
  },
  CommitRequest: {
    type: "object",
    additionalProperties: false,
    properties: { allow_partial: { type: "boolean", default: false } },
  },
  Readiness: {
    type: "object",
    properties: {
      status: { type: "string", enum: ["ok", "unavailable"] },
      checks: {
        type: "object",
        properties: {
          postgres: { type: "string" },
          redis: { type: "string" },
          s3: { type: "string" },
        },
      },
    },
  },
  Principal: {
    type: "object",
    required: ["email", "role"],
    properties: {
      email: { type: "string" },
      role: { type: "string", enum: ["viewer", "importer", "admin"] },
    },
  },
  HealthJob: {
    type: "object",
    properties: {
      id: { type: "string", format: "uuid" },
      status: { type: "string", enum: [...JOB_STATUSES] },
      file_name: { type: "string" },
      created_by: { type: "string" },
      failure_code: nullable({ type: "string" }),
      failure_message: nullable({ type: "string" }),
      created_at: { type: "string", format: "date-time" },
      updated_at: { type: "string", format: "date-time" },
    },
  },
  QueueDepth: {
    type: "object",
    properties: {
      waiting: { type: "integer" },
      active: { type: "integer" },
      delayed: { type: "integer" },
      failed: { type: "integer" },
    },
  },
  Health: {
    type: "object",
    required: ["queues", "last_24h", "failures_by_code", "stuck_after_s", "stuck"],
    properties: {
      queues: nullable({
        type: "object",
        description: "Jobs in each import queue by state; null when Redis is unavailable",
        properties: {
          validate: ref("QueueDepth"),
          commit: ref("QueueDepth"),
          revert: ref("QueueDepth"),
        },
      }),
      queues_error: { type: "string", description: "Why the queue depths are null" },
      last_24h: {
        type: "object",
        description: "Jobs created in the last 24 hours, by status",
        additionalProperties: { type: "integer" },
      },
      failures_by_code: {
        type: "object",
        description: "Failed jobs of the last 24 hours, by failure code",
        additionalProperties: { type: "integer" },
      },
      stuck_after_s: { type: "integer", description: "STUCK_AFTER_S" },
      stuck: {
        type: "array",
        description: "Working jobs with no progress for longer than stuck_after_s, oldest first",
        items: ref("HealthJob"),
      },
      recent_failures: {
        type: "array",
        description: "The latest failed jobs of the last 24 hours (at most 20), newest first",
        items: ref("HealthJob"),
      },
    },
  },
};

const bearer = [{ bearer: [] }];
const AUTH_ERRORS = [401, 403];

const paths = {
  "/api/admin/import-jobs/": {
    get: {
      operationId: "listImportJobs",
      summary: "List import jobs, newest first (viewer)",
      security: bearer,
      parameters: [
        { name: "status", in: "query", schema: { type: "string", enum: [...JOB_STATUSES] } },
        { name: "mode", in: "query", schema: { type: "string", enum: [...IMPORT_MODES] } },
        { name: "created_by", in: "query", schema: { type: "string" } },
        {
          name: "file_hash",
          in: "query",
          schema: { type: "string", pattern: "^[0-9a-fA-F]{64}$" },
        },
        {
          name: "created_after",
          in: "query",
          description: "ISO 8601 date or date-time with offset",
          schema: { type: "string" },
        },
        ...pageParameters(50, 500),
      ],
      responses: {
        "200": { description: "A page of jobs", content: json(ref("JobPage")) },
        ...errors(400, ...AUTH_ERRORS),
      },
    },
  },
  "/api/admin/import-jobs/validate/": {
    post: {
      operationId: "uploadImport",
      summary: "Upload a file and start its validation (importer)",
      description:
        "The file streams to object storage. `mode` may come before or after `file`. " +
        "Idempotent: with the caller's `Idempotency-Key`, or the same bytes and mode while an " +
        "earlier job is pending/validating/validated, the earlier job is answered with 200.",
      security: bearer,
      parameters: [
        {
          name: "Idempotency-Key",
          in: "header",
          schema: { type: "string", minLength: 1, maxLength: 255 },
        },
      ],
      requestBody: {
        required: true,
        content: { "multipart/form-data": { schema: ref("Upload") } },
      },
      responses: {
        "200": jobResponse("An earlier job for the same upload (idempotency)"),
        "202": jobResponse("The new job, validation enqueued"),
        ...errors(400, ...AUTH_ERRORS, 413, 415, 503),
      },
    },
  },
  "/api/admin/import-jobs/{id}/": {
    get: {
      operationId: "getImportJob",
      summary: "One job: status, progress, summary, counts, links (viewer)",
      security: bearer,
      parameters: [jobIdParameter],
      responses: { "200": jobResponse("The job"), ...errors(400, ...AUTH_ERRORS, 404) },
    },
  },
  "/api/admin/import-jobs/{id}/issues/": {
    get: {
      operationId: "listImportJobIssues",
      summary: "The job's row-level issues (viewer); empty until validation has finished",
      security: bearer,
      parameters: [
        jobIdParameter,
        { name: "severity", in: "query", schema: { type: "string", enum: ["error", "warning"] } },
        { name: "code", in: "query", schema: { type: "string" } },
        {
          name: "column",
          in: "query",
          description: "The issue's column: a canonical name, or a header as written",
          schema: { type: "string" },
        },
        ...pageParameters(100, 10_000),
      ],
      responses: {
        "200": { description: "A page of issues", content: json(ref("IssuePage")) },
        ...errors(400, ...AUTH_ERRORS, 404),
      },
    },
  },
  "/api/admin/import-jobs/{id}/report/": {
    get: {
      operationId: "downloadImportReport",
      summary: "The XLSX report itself (viewer)",
      security: bearer,
      parameters: [jobIdParameter],
      responses: {
        "200": {
          description: "The report, as an attachment named import_report_<id>.xlsx",
          content: {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
              schema: { type: "string", contentMediaType: "application/octet-stream" },
            },
          },
        },
        ...errors(400, ...AUTH_ERRORS, 404),
      },
    },
  },
  "/api/admin/import-jobs/{id}/commit/": {
    post: {
      operationId: "commitImportJob",
      summary:
        "Request the commit of a validated job, or a retry of a retryable failure (importer)",
      security: bearer,
      parameters: [jobIdParameter],
      requestBody: { required: false, content: json(ref("CommitRequest")) },
      responses: {
        "202": jobResponse("Commit requested and enqueued"),
        ...errors(400, ...AUTH_ERRORS, 404, 409, 422, 503),
      },
    },
  },
  "/api/admin/import-jobs/{id}/revert/": {
    post: {
      operationId: "revertImportJob",
      summary: "Revert a committed (success or partial) job (admin)",
      security: bearer,
      parameters: [jobIdParameter],
      responses: {
        "202": jobResponse("Revert enqueued"),
        ...errors(400, ...AUTH_ERRORS, 404, 409, 503),
      },
    },
  },
  "/api/admin/import-jobs/{id}/revalidate/": {
    post: {
      operationId: "revalidateImportJob",
      summary: "A new job from the same stored input (importer)",
      security: bearer,
      parameters: [jobIdParameter],
      responses: {
        "200": jobResponse("A revalidation of this job that has not finished yet"),
        "202": jobResponse("The new job, validation enqueued"),
        ...errors(400, ...AUTH_ERRORS, 404, 409, 503),
      },
    },
  },
  "/api/admin/me/": {
    get: {
      operationId: "getCurrentPrincipal",
      summary: "Who the bearer token belongs to, and its role (viewer)",
      security: bearer,
      responses: {
        "200": { description: "The token's owner", content: json(ref("Principal")) },
        ...errors(...AUTH_ERRORS),
      },
    },
  },
  "/api/admin/health/": {
    get: {
      operationId: "getHealth",
      summary: "Queue depths, jobs by status in the last 24 hours, stuck and failed jobs (viewer)",
      security: bearer,
      responses: {
        "200": { description: "The health report", content: json(ref("Health")) },
        ...errors(...AUTH_ERRORS),
      },
    },
  },
  "/healthz": {
    get: {
      operationId: "liveness",
      summary: "The process is alive",
      responses: {
        "200": {
          description: "Alive",
          content: json({ type: "object", properties: { status: { const: "ok" } } }),
        },
      },
    },
  },
  "/readyz": {
    get: {
      operationId: "readiness",
      summary: "Postgres, Redis and S3 all answer",
      responses: {
        "200": { description: "Ready", content: json(ref("Readiness")) },
        "503": { description: "A dependency is unreachable", content: json(ref("Readiness")) },
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
      responses: { "200": { description: "OpenAPI 3.1", content: json({ type: "object" }) } },
    },
  },
};

/** The document, with `baseUrl` as its server. */
export function openApiDocument(baseUrl: string): Record<string, unknown> {
  return {
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
      schemas,
    },
    paths,
  };
}
