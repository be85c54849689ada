/**
 * `GET /api/admin/import-jobs/<id>/changes/` (viewer): the job's planned
 * changes, or once committed the applied ones, paged and filtered by entity
 * and action.
 *
 * The source is the snapshot: commit applies exactly its plan or writes
 * nothing (the drift check compares every `before` with the catalog under the
 * commit's locks), so for a committed job the planned changes are the applied
 * ones. A snapshot is immutable and its hash is recorded, so each API process
 * reads, verifies and flattens it once and keeps the list (a small LRU by job):
 * paging through 10,000 changes costs one S3 read, not one per page.
 */
import { createHash } from "node:crypto";
import { decodeSnapshot, type PlanChange, planChanges } from "@catalog/core";
import type { ImportJob, JobStatus } from "@catalog/db";
import { getObjectBuffer, ObjectNotFoundError, type ObjectStore } from "@catalog/storage";
import type { RequestHandler } from "express";
import type { ApiDependencies } from "../app";
import { AppError } from "../errors";
import { changeListQuery, parseRequest } from "./import-job.schemas";
import { jobFromParams } from "./job-queries";

/** Jobs whose plan has been applied (a reverted job's was, before the revert). */
const APPLIED: readonly JobStatus[] = ["success", "partial", "reverted"];

/** Flattened snapshots kept per API process; at the row limit one is a few MB. */
const CACHED_SNAPSHOTS = 8;

/** A per-process cache of flattened plans, by job id and snapshot hash. */
export class PlanChangesCache {
  private readonly entries = new Map<string, Promise<PlanChange[]>>();

  constructor(private readonly capacity = CACHED_SNAPSHOTS) {}

  /** The job's changes, reading its snapshot only when not cached. */
  get(store: ObjectStore, job: ImportJob & { snapshot_key: string; snapshot_hash: string }) {
    const key = `${job.id}:${job.snapshot_hash.trim()}`;
    const cached = this.entries.get(key);
    if (cached) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const loading = loadChanges(store, job);
    // A failed read is not kept: the next request tries again.
    loading.catch(() => this.entries.delete(key));
    this.entries.set(key, loading);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return loading;
  }
}

async function loadChanges(
  store: ObjectStore,
  job: ImportJob & { snapshot_key: string; snapshot_hash: string },
): Promise<PlanChange[]> {
  const bytes = await getObjectBuffer(store, job.snapshot_key).catch((error: unknown) => {
    if (error instanceof ObjectNotFoundError) {
      throw new AppError("NOT_FOUND", `The snapshot of job ${job.id} is no longer stored`, {
        snapshot_key: job.snapshot_key,
      });
    }
    throw error;
  });
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (sha256 !== job.snapshot_hash.trim()) {
    throw new Error(`Snapshot integrity check FAILED for job ${job.id} (changes route)`);
  }
  return planChanges(decodeSnapshot(bytes).plan);
}

export function listChanges(
  deps: ApiDependencies & { planChanges: PlanChangesCache },
): RequestHandler {
  return async (request, response) => {
    const job = await jobFromParams(deps, request);
    const query = parseRequest(changeListQuery, request.query, "query");
    const page = { limit: query.limit, offset: query.offset };
    const { snapshot_key, snapshot_hash } = job;
    if (!snapshot_key || !snapshot_hash) {
      response.json({ items: [], total: 0, ...page, source: null });
      return;
    }
    const all = await deps.planChanges.get(deps.store, { ...job, snapshot_key, snapshot_hash });
    const entities = query.entity && new Set<string>(query.entity);
    const actions = query.action && new Set<string>(query.action);
    const matching =
      entities || actions
        ? all.filter(
            (change) =>
              (!entities || entities.has(change.entity)) &&
              (!actions || actions.has(change.action)),
          )
        : all;
    response.json({
      items: matching.slice(page.offset, page.offset + page.limit),
      total: matching.length,
      ...page,
      source: APPLIED.includes(job.status) ? "applied" : "planned",
    });
  };
}
