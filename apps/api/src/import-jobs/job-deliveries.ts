/**
 * `GET /api/admin/import-jobs/<id>/deliveries/` (viewer): the job's webhook
 * events, each with every delivery attempt (status code, duration, error).
 */
import { listWebhookDeliveries } from "@catalog/jobs";
import type { RequestHandler } from "express";
import type { ApiDependencies } from "../app";
import { jobFromParams } from "./job-queries";

export function listDeliveries(deps: ApiDependencies): RequestHandler {
  return async (request, response) => {
    const job = await jobFromParams(deps, request);
    response.json({ items: await listWebhookDeliveries(deps.db, job.id) });
  };
}
