/**
 * http_request_duration_seconds: every request's duration by method, route
 * template and status code, observed when the response is finished (or the
 * connection closed before it was).
 */
import type { Metrics } from "@catalog/observability";
import type { RequestHandler } from "express";
import { routeTemplate } from "./route-template";

/** The HTTP metrics middleware; mount it before the routes. */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    let observed = false;
    const observe = () => {
      if (observed) return;
      observed = true;
      metrics.httpRequestDuration.observe(
        {
          method: request.method,
          route: routeTemplate(request),
          status_code: String(response.statusCode),
        },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    };
    response.once("finish", observe);
    response.once("close", observe);
    next();
  };
}
