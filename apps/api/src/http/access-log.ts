/**
 * One log line per request (pino-http), written when the response is finished:
 * request id, method, URL, route template, status and duration. The request's
 * own logger (`request.log`) carries the same `request_id`, so every line a
 * handler writes about a request can be found by it. Headers are not logged
 * (they hold bearer tokens).
 */
import type { Logger } from "@catalog/observability";
import type { Request, RequestHandler } from "express";
import { pinoHttp } from "pino-http";
import { assignRequestId } from "./request-id";
import { routeTemplate } from "./route-template";

/** Paths polled by machines: their successful requests log at debug, not info. */
const PROBE_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** The access-log middleware; mount it first. */
export function accessLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: assignRequestId,
    // request_id on every line of the request's logger, not only inside `req`.
    quietReqLogger: true,
    customAttributeKeys: { reqId: "request_id", responseTime: "duration_ms" },
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    // Called when the request arrives and again when it is answered: only the
    // second knows the route (and binding it once keeps one "route" key per line).
    customProps: (req, res) => (res.headersSent ? { route: routeTemplate(req as Request) } : {}),
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500) return "error";
      if (res.statusCode >= 400) return "warn";
      return PROBE_PATHS.has((req.url ?? "").split("?")[0] ?? "") ? "debug" : "info";
    },
    customSuccessMessage: () => "HTTP request",
    customErrorMessage: () => "HTTP request failed",
  }) as RequestHandler;
}
