/**
 * Turning a stored upload into a job, with the idempotency of SPEC §7: an
 * earlier job with the caller's `Idempotency-Key`, or for the same bytes and mode
 * while still pending/validating/validated, is returned instead of a new one.
 *
 * Check-then-insert is made safe under concurrency with transaction-scoped
 * advisory locks, always taken in the same order (key, then bytes+mode): two
 * identical uploads at the same moment produce one job, not two.
 */
import type { Database, ImportJob, ImportMode } from "@catalog/db";
import { createImportJob, findJobByIdempotencyKey, findReusableJob } from "@catalog/jobs";
import type { StoredObject } from "@catalog/storage";
import { type Kysely, sql, type Transaction } from "kysely";

/** Everything known about an upload once its bytes are stored. */
export interface StoredUpload {
  jobId: string;
  mode: ImportMode;
  createdBy: string;
  idempotencyKey?: string;
  /** The id of the request that uploaded it (for log correlation). */
  requestId?: string;
  /** The client's base name of the file. */
  fileName: string;
  contentType: string;
  stored: StoredObject;
}

/** Serializes work on `name` until the transaction ends. */
async function lockName(trx: Transaction<Database>, name: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${name}, 0))`.execute(trx);
}

/**
 * Returns the job this upload belongs to: an existing one (`created: false`;
 * the caller deletes the just-stored object) or a new `pending` one with its
 * input recorded in catalog_media (`created: true`).
 */
export async function createOrReuseImportJob(
  db: Kysely<Database>,
  upload: StoredUpload,
): Promise<{ job: ImportJob; created: boolean }> {
  const { stored } = upload;
  return db.transaction().execute(async (trx) => {
    if (upload.idempotencyKey) {
      await lockName(trx, `import-upload-key:${upload.createdBy}:${upload.idempotencyKey}`);
      const keyed = await findJobByIdempotencyKey(trx, upload.createdBy, upload.idempotencyKey);
      if (keyed) return { job: keyed, created: false };
    }
    await lockName(trx, `import-upload-hash:${stored.sha256}:${upload.mode}`);
    const reusable = await findReusableJob(trx, stored.sha256, upload.mode);
    if (reusable) return { job: reusable, created: false };

    const job = await createImportJob(trx, {
      id: upload.jobId,
      mode: upload.mode,
      file_name: upload.fileName,
      file_size: stored.sizeBytes,
      file_hash: stored.sha256,
      idempotency_key: upload.idempotencyKey ?? null,
      request_id: upload.requestId ?? null,
      input_key: stored.key,
      created_by: upload.createdBy,
      progress: JSON.stringify({
        phase: "upload",
        done: stored.sizeBytes,
        total: stored.sizeBytes,
      }),
    });
    await trx
      .insertInto("catalog_media")
      .values({
        filename: stored.key.split("/").pop() ?? stored.key,
        object_key: stored.key,
        kind: "input",
        job_id: job.id,
        content_type: upload.contentType,
        size_bytes: stored.sizeBytes,
        sha256: stored.sha256,
      })
      .execute();
    return { job, created: true };
  });
}
