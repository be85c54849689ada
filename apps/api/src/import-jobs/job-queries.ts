/**
 * The read-only import-job routes (viewer): the job list, one job, its issues
 * and its XLSX report, streamed from object storage.
 */
import { pipeline } from "node:stream/promises";
import type { ImportJob } from "@catalog/db";
import { findImportJob, listImportJobs, toJobResource } from "@catalog/jobs";
import { getObjectStream, ObjectNotFoundError } from "@catalog/storage";
import type { Request, RequestHandler } from "express";
import type { ApiDependencies } from "../app";
import { AppError } from "../errors";
import { issueListQuery, jobIdParams, jobListQuery, parseRequest } from "./import-job.schemas";
import { listJobIssues } from "./job-issues.repository";

const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** The job named by `:id`, or 400 (not a UUID) / 404 (no such job). */
export async function jobFromParams(deps: ApiDependencies, request: Request): Promise<ImportJob> {
  const { id } = parseRequest(jobIdParams, request.params, "job id");
  const job = await findImportJob(deps.db, id);
  if (!job) throw new AppError("NOT_FOUND", `No import job ${id}`);
  return job;
}

/** The opaque `cursor` of the page after job `id` (its id, base64url: clients must not build it). */
const encodeCursor = (id: string) => Buffer.from(id, "utf8").toString("base64url");

/** The job id a `cursor` stands for, or 400. */
async function decodeCursor(deps: ApiDependencies, cursor: string): Promise<string> {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  const known = jobIdParams.shape.id.safeParse(id).success && (await findImportJob(deps.db, id));
  if (!known) throw new AppError("BAD_REQUEST", "Invalid query: cursor is not from a `next` link");
  return id;
}

/** `GET /api/admin/import-jobs/`: newest first, filtered, paginated by offset or cursor. */
export function listJobs(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    const query = parseRequest(jobListQuery, request.query, "query");
    if (query.cursor && query.offset) {
      throw new AppError("BAD_REQUEST", "Invalid query: cursor and offset cannot be combined");
    }
    const { items, total, more } = await listImportJobs(
      deps.db,
      {
        status: query.status,
        mode: query.mode,
        createdBy: query.created_by,
        fileHash: query.file_hash,
        createdAfter: query.created_after,
        createdBefore: query.created_before,
      },
      query.cursor
        ? { limit: query.limit, afterId: await decodeCursor(deps, query.cursor) }
        : { limit: query.limit, offset: query.offset },
    );
    const last = items.at(-1);
    response.json({
      items: items.map((job) => toJobResource(job, deps.baseUrl)),
      total,
      limit: query.limit,
      offset: query.offset,
      next: more && last ? nextPageUrl(deps.baseUrl, request, encodeCursor(last.id)) : null,
    });
  };
}

/** This request's URL with `cursor` set and `offset` dropped: the next page, same filters. */
function nextPageUrl(baseUrl: string, request: Request, cursor: string): string {
  const url = new URL(request.originalUrl, "http://placeholder");
  url.searchParams.delete("offset");
  url.searchParams.set("cursor", cursor);
  return `${baseUrl}${url.pathname}${url.search}`;
}

/** `GET /api/admin/import-jobs/<id>/`. */
export function showJob(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    response.json(toJobResource(await jobFromParams(deps, request), deps.baseUrl));
  };
}

/** `GET /api/admin/import-jobs/<id>/issues/`: empty until the job has a report. */
export function listIssues(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    const job = await jobFromParams(deps, request);
    const query = parseRequest(issueListQuery, request.query, "query");
    const page = { limit: query.limit, offset: query.offset };
    const { items, total } = await listJobIssues(
      deps.db,
      job.id,
      { severity: query.severity, code: query.code, column: query.column },
      page,
    );
    response.json({ items, total, ...page });
  };
}

/** Seconds a client is told to wait (Retry-After) before asking again for a report being built. */
export const REPORT_RETRY_AFTER_S = 5;

/**
 * `GET /api/admin/import-jobs/<id>/report/`: the XLSX bytes themselves (not a
 * redirect), once the report of the job's current state is stored. While it is
 * being built (`report_status` pending) the answer is 409 REPORT_NOT_READY with
 * Retry-After, also after a commit while the report with its result is built:
 * the validation's report is not served then, as this route serves the job's
 * report as the job now is (a committed job's report shows its result and
 * db_verify). 409 REPORT_FAILED when it can never be built; 404 when the job has
 * no report (it never validated).
 */
export function downloadReport(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    const job = await jobFromParams(deps, request);
    const noReport = new AppError("NOT_FOUND", `Import job ${job.id} has no report yet`);
    if (job.report_status === "pending") {
      response.set("Retry-After", String(REPORT_RETRY_AFTER_S));
      throw new AppError(
        "REPORT_NOT_READY",
        `The report of import job ${job.id} is being built; try again in ${REPORT_RETRY_AFTER_S} s`,
        {
          status: job.status,
          report_status: job.report_status,
          retry_after_s: REPORT_RETRY_AFTER_S,
        },
      );
    }
    if (job.report_status === "failed")
      throw new AppError("REPORT_FAILED", `The report of import job ${job.id} could not be built`, {
        status: job.status,
        report_status: job.report_status,
      });
    if (job.report_status !== "ready" || !job.report_key) throw noReport;
    const body = await getObjectStream(deps.store, job.report_key).catch((error) => {
      throw error instanceof ObjectNotFoundError ? noReport : error;
    });
    response
      .status(200)
      .type(XLSX_CONTENT_TYPE)
      .set("Content-Disposition", `attachment; filename="import_report_${job.id}.xlsx"`);
    await pipeline(body, response);
  };
}
