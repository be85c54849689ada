/**
 * The request id: taken from the caller's `X-Request-Id` when it looks like an
 * id (so a request can be followed from a proxy or client through the API to
 * the worker), otherwise made here; always returned in the response's
 * `X-Request-Id`.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** The header that carries it, both ways. */
export const REQUEST_ID_HEADER = "X-Request-Id";

/** What an incoming id may look like: short, and nothing that could forge a log line. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's id when sane, else a new UUID; set on the response header either way. */
export function assignRequestId(request: IncomingMessage, response: ServerResponse): string {
  const incoming = request.headers[REQUEST_ID_HEADER.toLowerCase()];
  const id =
    typeof incoming === "string" && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** The id {@link assignRequestId} gave this request (undefined outside the access log). */
export function requestIdOf(request: IncomingMessage): string | undefined {
  const id: unknown = (request as IncomingMessage & { id?: unknown }).id;
  return typeof id === "string" ? id : undefined;
}
