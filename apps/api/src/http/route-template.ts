/**
 * The route template a request matched (`/api/admin/import-jobs/:id/issues`),
 * for metric labels and the access log: never the raw URL, whose ids would make
 * one time series per job.
 */
import type { Request } from "express";

/** What requests that matched no route are labelled. */
export const UNMATCHED_ROUTE = "unmatched";

/** The matched route's template, or {@link UNMATCHED_ROUTE}. */
export function routeTemplate(request: Request): string {
  const path: unknown = request.route?.path;
  return typeof path === "string" ? `${request.baseUrl}${path}` : UNMATCHED_ROUTE;
}
