/**
 * Registers one path's handlers by method, plus a 405 (with `Allow`) for every
 * other method, so a wrong method gets the JSON error shape rather than a 404.
 */
import type { RequestHandler, Router } from "express";
import { methodNotAllowed } from "../errors";

/** The methods the API's routes use. */
export type RouteMethod = "get" | "post";

/** Mounts `handlers` (each method's middleware chain) at `path` on `router`. */
export function mountRoute(
  router: Router,
  path: string,
  handlers: Partial<Record<RouteMethod, RequestHandler[]>>,
): void {
  const route = router.route(path);
  const allow: string[] = [];
  for (const [method, chain] of Object.entries(handlers) as [RouteMethod, RequestHandler[]][]) {
    route[method](...chain);
    allow.push(method.toUpperCase(), ...(method === "get" ? ["HEAD"] : []));
  }
  route.all(methodNotAllowed(allow));
}
