/**
 * The import-job routes of SPEC §8 and the least role each needs. Paths are
 * registered without a trailing slash; the router is not strict, so `/x` and
 * `/x/` both match (path-to-regexp v8 with `trailing: true`).
 */
import express, { Router } from "express";
import type { ApiDependencies } from "../app";
import { requireRole } from "../auth/require-role";
import { cancelImport } from "../import-jobs/cancel-import";
import { listChanges, PlanChangesCache } from "../import-jobs/job-changes";
import { listDeliveries } from "../import-jobs/job-deliveries";
import { downloadReport, listIssues, listJobs, showJob } from "../import-jobs/job-queries";
import { requestCommit } from "../import-jobs/request-commit";
import { requestRevert } from "../import-jobs/request-revert";
import { revalidateImport } from "../import-jobs/revalidate-import";
import { uploadImport } from "../import-jobs/upload-import";
import { mountRoute } from "./mount-route";

/** Where the import-job routes live. */
export const IMPORT_JOBS_PATH = "/api/admin/import-jobs";

/** Largest JSON body accepted (commit takes `{"allow_partial": bool}`). */
const JSON_BODY_LIMIT = "4kb";

export function importJobRoutes(deps: ApiDependencies): Router {
  const router = Router({ strict: false });
  const viewer = requireRole(deps, "viewer");
  const importer = requireRole(deps, "importer");
  const admin = requireRole(deps, "admin");
  // Parsed after authentication, so an anonymous caller cannot make us read a body.
  const json = express.json({ limit: JSON_BODY_LIMIT });
  const base = IMPORT_JOBS_PATH;

  mountRoute(router, base, { get: [viewer, listJobs(deps)] });
  mountRoute(router, `${base}/validate`, { post: [importer, uploadImport(deps)] });
  mountRoute(router, `${base}/:id`, { get: [viewer, showJob(deps)] });
  mountRoute(router, `${base}/:id/issues`, { get: [viewer, listIssues(deps)] });
  mountRoute(router, `${base}/:id/report`, { get: [viewer, downloadReport(deps)] });
  mountRoute(router, `${base}/:id/changes`, {
    get: [viewer, listChanges({ ...deps, planChanges: new PlanChangesCache() })],
  });
  mountRoute(router, `${base}/:id/deliveries`, { get: [viewer, listDeliveries(deps)] });
  mountRoute(router, `${base}/:id/commit`, { post: [importer, json, requestCommit(deps)] });
  mountRoute(router, `${base}/:id/revert`, { post: [admin, requestRevert(deps)] });
  mountRoute(router, `${base}/:id/revalidate`, { post: [importer, revalidateImport(deps)] });
  mountRoute(router, `${base}/:id/cancel`, { post: [importer, cancelImport(deps)] });
  return router;
}
