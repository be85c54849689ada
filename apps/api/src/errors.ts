/**
 * The API's one error type and its JSON rendering: `{"error": {code, message, details?}}`.
 * Each code maps to one HTTP status, documented here.
 */

import { classifyError, WorkRequestRefused } from "@catalog/jobs";
import type { Logger } from "@catalog/observability";
import type { ErrorRequestHandler, RequestHandler } from "express";

/** Error code → HTTP status. */
export const ERROR_STATUS = {
  /** The request is malformed (bad JSON, bad field, bad query parameter). */
  BAD_REQUEST: 400,
  /**
   * callback_url is not https://, nor http:// to a host in WEBHOOK_ALLOWED_HOSTS
   * (no callbacks into private networks by default); no job was made.
   */
  INVALID_CALLBACK_URL: 400,
  /** No bearer token, or an unknown or revoked one. */
  UNAUTHENTICATED: 401,
  /** The token's role may not do this. */
  FORBIDDEN: 403,
  /** No such route or resource. */
  NOT_FOUND: 404,
  /** The route exists but not with this method (the `Allow` header lists those it has). */
  METHOD_NOT_ALLOWED: 405,
  /** The job is not in a state that allows this (e.g. commit on a failed validation). */
  INVALID_STATE: 409,
  /**
   * The report of the job's current state is still being built (report_status
   * `pending`: after validation, or after the commit, whose report shows its
   * result); `Retry-After` says when to ask again.
   */
  REPORT_NOT_READY: 409,
  /** The report of the job's current state could not be built (report_status `failed`). */
  REPORT_FAILED: 409,
  /** The upload is larger than MAX_FILE_BYTES; nothing was stored. */
  FILE_TOO_LARGE: 413,
  /** The upload is neither an XLSX workbook nor a CSV text file. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Understood but refused (e.g. commit with errors and no allow_partial). */
  UNPROCESSABLE: 422,
  /**
   * The Idempotency-Key was used (and has not expired) for a different request:
   * another file, mode, file name or callback_url (IETF idempotency-key draft).
   */
  IDEMPOTENCY_KEY_REUSED: 422,
  /** A dependency (Postgres, Redis, S3) is unreachable. */
  UNAVAILABLE: 503,
  /** A bug; details are in the logs. */
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** An error the API answers with its code's status and a JSON body. */
export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** 404 for any route not matched. */
export const notFound: RequestHandler = (request, _response, next) => {
  next(new AppError("NOT_FOUND", `No route for ${request.method} ${request.path}`));
};

/** 405 for a known path asked with another method; `allow` lists the methods it has. */
export function methodNotAllowed(allow: readonly string[]): RequestHandler {
  return (request, response, next) => {
    response.set("Allow", allow.join(", "));
    next(new AppError("METHOD_NOT_ALLOWED", `${request.method} is not allowed on ${request.path}`));
  };
}

/** Renders AppErrors as they are and anything else as a logged 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, request, response, _next) => {
    const appError = toAppError(error);
    if (appError.code === "INTERNAL" || appError.code === "UNAVAILABLE") {
      logger.error(
        { err: error, method: request.method, path: request.path },
        appError.code === "INTERNAL" ? "Unhandled API error" : "Dependency unavailable",
      );
    }
    // A streamed answer (the report) failed half-way: the status is gone, so cut the
    // connection rather than append JSON to half a file.
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.status(appError.status).json({
      error: {
        code: appError.code,
        message: appError.message,
        ...(appError.details === undefined ? {} : { details: appError.details }),
      },
    });
  };
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // A commit or revert request refused by @catalog/jobs: its codes are ours.
  if (error instanceof WorkRequestRefused)
    return new AppError(error.code, error.message, error.details);
  // body-parser's errors carry a 4xx status and `type` (e.g. entity.parse.failed).
  const status = (error as { status?: number }).status;
  if (status === 400) return new AppError("BAD_REQUEST", (error as Error).message);
  if (status === 413) return new AppError("FILE_TOO_LARGE", "Request body too large");
  // 415 from body-parser is an unsupported charset or encoding of a JSON body, not a file.
  if (status === 415) return new AppError("BAD_REQUEST", (error as Error).message);
  // Postgres, S3 or Redis unreachable, a dropped connection, a timeout: an outage, not a bug.
  if (classifyError(error).kind === "transient") {
    return new AppError("UNAVAILABLE", "A dependency of the API is unavailable; try again later");
  }
  return new AppError("INTERNAL", "Internal server error");
}
