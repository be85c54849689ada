/**
 * Routes about the caller and the system rather than one job (viewer):
 * `GET /api/admin/me/` says who the token belongs to and its role, so a client
 * (the console) offers only what that role may do; `GET /api/admin/health/`
 * is the runbook's health check over HTTP: queue depths, jobs by status in the
 * last 24 hours, stuck and failed jobs.
 */
import { importQueueDepths, jobHealthReport } from "@catalog/jobs";
import { Router } from "express";
import type { ApiDependencies } from "../app";
import { principalOf, requireRole } from "../auth/require-role";
import { mountRoute } from "./mount-route";

/** How long the health check waits for Redis before reporting the queues unavailable. */
const QUEUE_DEPTH_TIMEOUT_MS = 3_000;

/** The queue depths, or why they could not be read (Redis down): the rest of the report still answers. */
async function queueDepthsOrReason(deps: ApiDependencies) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), QUEUE_DEPTH_TIMEOUT_MS);
  });
  try {
    return { queues: await Promise.race([importQueueDepths(deps.queues), timeout]) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { queues: null, queues_error: `Redis is unavailable: ${reason}` };
  } finally {
    clearTimeout(timer);
  }
}

export function adminRoutes(deps: ApiDependencies): Router {
  const router = Router({ strict: false });
  const viewer = requireRole(deps, "viewer");
  mountRoute(router, "/api/admin/me", {
    get: [
      viewer,
      (_request, response) => {
        const { email, role } = principalOf(response);
        response.json({ email, role });
      },
    ],
  });
  mountRoute(router, "/api/admin/health", {
    get: [
      viewer,
      async (_request, response) => {
        const [jobs, queues] = await Promise.all([
          jobHealthReport(deps.db, deps.limits.stuckAfterS),
          queueDepthsOrReason(deps),
        ]);
        response.json({ ...queues, ...jobs });
      },
    ],
  });
  return router;
}
