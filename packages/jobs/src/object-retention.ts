/**
 * Retention of stored objects (inputs, snapshots, reports), as a plan and its
 * application, so the worker's daily task and `importctl snapshots cleanup`
 * (a dry run unless --yes) show and do the same thing.
 *
 * The bucket is listed, not the database: an object is
 * - `expired` when every job that refers to it (by its input, snapshot or report
 *   key, or a catalog_media row) finished more than SNAPSHOT_RETENTION_DAYS ago
 *   and can no longer be committed;
 * - `orphaned` when no job refers to it at all and it is older than a grace
 *   period (an upload is stored before its job row exists, and a snapshot
 *   before its hash is recorded).
 * A job that can still be committed (`validated`, or `failed` with a retryable
 * commit) never expires, so its snapshot is never deleted; the check is made
 * again for every batch right before it is deleted. Every deletion is recorded
 * in ops_object_deletion.
 */
import type { Database, DeletionReason, MediaKind } from "@catalog/db";
import {
  deleteObject,
  type ListedObject,
  listObjectPages,
  type ObjectStore,
} from "@catalog/storage";
import { type Kysely, sql } from "kysely";
import { FINAL_STATUSES } from "./import-job.repository";

/** How long an object no job refers to is left alone, by default. */
export const DEFAULT_ORPHAN_GRACE_MS = 24 * 3600 * 1000;

/** One object the retention deletes, and why. */
export interface RetentionItem {
  key: string;
  kind: MediaKind | null;
  /** The job it belonged to (the latest one, for a shared input); null when orphaned. */
  jobId: string | null;
  reason: DeletionReason;
  sizeBytes: number;
  lastModified: Date;
}

/** What the retention would delete now. */
export interface RetentionPlan {
  retentionDays: number;
  /** Jobs that finished before this may have their objects deleted. */
  expiredBefore: Date;
  /** Objects no job refers to, last written before this, are deleted. */
  orphanedBefore: Date;
  /** Objects listed in the bucket. */
  scanned: number;
  items: RetentionItem[];
}

export interface RetentionOptions {
  retentionDays: number;
  now?: Date;
  orphanGraceMs?: number;
}

/** The kind of object a key names, from its prefix. */
export function kindOfKey(key: string): MediaKind | null {
  if (key.startsWith("inputs/")) return "input";
  if (key.startsWith("snapshots/")) return "snapshot";
  if (key.startsWith("reports/")) return "report";
  return null;
}

/** How the jobs that refer to a key see it. */
interface KeyReferences {
  key: string;
  job_id: string;
  /** True when every referring job is past retention and cannot be committed. */
  expired: boolean;
}

/**
 * For each of `keys` that some job refers to: its latest job and whether every
 * referring job has expired. Keys no job refers to are absent.
 */
async function referencesOf(
  db: Kysely<Database>,
  keys: readonly string[],
  expiredBefore: Date,
): Promise<Map<string, KeyReferences>> {
  if (keys.length === 0) return new Map();
  const jobColumns = sql`j.id AS job_id, j.status, j.retryable,
    coalesce(j.completed_at, j.updated_at) AS finished_at`;
  const { rows } = await sql<KeyReferences>`
    WITH refs AS (
      SELECT j.input_key AS key, ${jobColumns} FROM ops_importjob AS j
        WHERE j.input_key = ANY(${keys})
      UNION ALL
      SELECT j.snapshot_key, ${jobColumns} FROM ops_importjob AS j
        WHERE j.snapshot_key = ANY(${keys})
      UNION ALL
      SELECT j.report_key, ${jobColumns} FROM ops_importjob AS j
        WHERE j.report_key = ANY(${keys})
      UNION ALL
      SELECT m.object_key, ${jobColumns}
        FROM catalog_media AS m JOIN ops_importjob AS j ON j.id = m.job_id
        WHERE m.object_key = ANY(${keys})
    )
    SELECT key,
      (array_agg(job_id ORDER BY finished_at DESC))[1] AS job_id,
      bool_and(
        status = ANY(${FINAL_STATUSES})
        -- A failed commit that may be retried keeps everything it needs.
        AND NOT (status = 'failed' AND retryable)
        AND finished_at < ${expiredBefore}
      ) AS expired
    FROM refs
    GROUP BY key`.execute(db);
  return new Map(rows.map((row) => [row.key, row]));
}

/** Classifies one page of listed objects. */
async function classify(
  db: Kysely<Database>,
  objects: readonly ListedObject[],
  expiredBefore: Date,
  orphanedBefore: Date,
): Promise<RetentionItem[]> {
  const references = await referencesOf(
    db,
    objects.map((object) => object.key),
    expiredBefore,
  );
  return objects.flatMap((object): RetentionItem[] => {
    const referenced = references.get(object.key);
    const item = {
      key: object.key,
      kind: kindOfKey(object.key),
      sizeBytes: object.sizeBytes,
      lastModified: object.lastModified,
    };
    if (!referenced) {
      return object.lastModified < orphanedBefore
        ? [{ ...item, jobId: null, reason: "orphaned" }]
        : [];
    }
    return referenced.expired ? [{ ...item, jobId: referenced.job_id, reason: "expired" }] : [];
  });
}

/** Lists the bucket and returns what the retention would delete now (deletes nothing). */
export async function planRetention(
  db: Kysely<Database>,
  store: ObjectStore,
  options: RetentionOptions,
): Promise<RetentionPlan> {
  const now = options.now ?? new Date();
  const expiredBefore = new Date(now.getTime() - options.retentionDays * 86_400_000);
  const orphanedBefore = new Date(
    now.getTime() - (options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS),
  );
  const items: RetentionItem[] = [];
  let scanned = 0;
  for await (const page of listObjectPages(store)) {
    scanned += page.length;
    items.push(...(await classify(db, page, expiredBefore, orphanedBefore)));
  }
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    retentionDays: options.retentionDays,
    expiredBefore,
    orphanedBefore,
    scanned,
    items,
  };
}

/** What applying a plan did. */
export interface RetentionResult {
  deleted: RetentionItem[];
  /** Planned items that no longer qualified when their batch was re-checked. */
  skipped: RetentionItem[];
}

const BATCH = 500;

/**
 * Deletes the plan's objects in batches. Each batch is classified again just
 * before it is deleted (a job may have started to refer to an object since the
 * plan); then the objects are deleted from the bucket, and their catalog_media
 * rows removed and ops_object_deletion rows written in one transaction.
 */
export async function applyRetention(
  db: Kysely<Database>,
  store: ObjectStore,
  plan: RetentionPlan,
  deletedBy: string,
): Promise<RetentionResult> {
  const result: RetentionResult = { deleted: [], skipped: [] };
  for (let start = 0; start < plan.items.length; start += BATCH) {
    const batch = plan.items.slice(start, start + BATCH);
    const still = new Set(
      (
        await classify(
          db,
          batch.map((item) => ({
            key: item.key,
            sizeBytes: item.sizeBytes,
            lastModified: item.lastModified,
          })),
          plan.expiredBefore,
          plan.orphanedBefore,
        )
      ).map((item) => `${item.key}\n${item.reason}`),
    );
    const due = batch.filter((item) => still.has(`${item.key}\n${item.reason}`));
    result.skipped.push(...batch.filter((item) => !still.has(`${item.key}\n${item.reason}`)));
    for (const item of due) await deleteObject(store, item.key);
    if (due.length === 0) continue;
    await db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom("catalog_media")
        .where(
          "object_key",
          "in",
          due.map((item) => item.key),
        )
        .execute();
      await trx
        .insertInto("ops_object_deletion")
        .values(
          due.map((item) => ({
            object_key: item.key,
            kind: item.kind,
            job_id: item.jobId,
            reason: item.reason,
            size_bytes: item.sizeBytes,
            deleted_by: deletedBy,
          })),
        )
        .execute();
    });
    result.deleted.push(...due);
  }
  return result;
}
