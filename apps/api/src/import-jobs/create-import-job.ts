/**
 * Turning a stored upload into a job, with the idempotency of SPEC §7: an
 * earlier job with the caller's `Idempotency-Key`, or for the same bytes, mode
 * and callback_url while still pending/validating/validated, is returned
 * instead of a new one.
 *
 * `Idempotency-Key` follows the IETF draft httpapi-idempotency-key-header: the
 * key is remembered with a fingerprint of the request (file hash, mode, file
 * name, callback_url) for IDEMPOTENCY_KEY_TTL_HOURS; the same key with another
 * request is refused with 422 IDEMPOTENCY_KEY_REUSED, and once expired the key
 * makes a new job.
 *
 * Check-then-insert is made safe under concurrency with transaction-scoped
 * advisory locks, always taken in the same order (key, then bytes+mode): two
 * identical uploads at the same moment produce one job, not two.
 */
import type { Database, ImportJob, ImportMode } from "@catalog/db";
import {
  createImportJob,
  findImportJob,
  findLiveIdempotencyKey,
  findReusableJob,
  recordIdempotencyKey,
  uploadFingerprint,
} from "@catalog/jobs";
import type { StoredObject } from "@catalog/storage";
import { type Kysely, sql, type Transaction } from "kysely";
import { AppError } from "../errors";

/** Everything known about an upload once its bytes are stored. */
export interface StoredUpload {
  jobId: string;
  mode: ImportMode;
  createdBy: string;
  idempotencyKey?: string;
  /** Hours a new Idempotency-Key is remembered. */
  idempotencyKeyTtlHours: number;
  /** Where the job's webhooks go, if anywhere (already checked). */
  callbackUrl: string | null;
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
  const fingerprint = uploadFingerprint({
    fileSha256: stored.sha256,
    mode: upload.mode,
    fileName: upload.fileName,
    callbackUrl: upload.callbackUrl,
  });
  return db.transaction().execute(async (trx) => {
    const { idempotencyKey: key } = upload;
    const remember = async (job: ImportJob) => {
      if (!key) return;
      await recordIdempotencyKey(trx, {
        createdBy: upload.createdBy,
        key,
        fingerprint,
        jobId: job.id,
        ttlHours: upload.idempotencyKeyTtlHours,
      });
    };
    if (key) {
      await lockName(trx, `import-upload-key:${upload.createdBy}:${key}`);
      const record = await findLiveIdempotencyKey(trx, upload.createdBy, key);
      if (record && record.fingerprint !== null && record.fingerprint.trim() !== fingerprint) {
        throw new AppError(
          "IDEMPOTENCY_KEY_REUSED",
          "This Idempotency-Key was used for a different request (file, mode, file name or callback_url)",
          { idempotency_key: key, job_id: record.job_id, expires_at: record.expires_at },
        );
      }
      const keyed = record && (await findImportJob(trx, record.job_id));
      if (keyed) return { job: keyed, created: false };
    }
    await lockName(trx, `import-upload-hash:${stored.sha256}:${upload.mode}`);
    const reusable = await findReusableJob(trx, stored.sha256, upload.mode);
    // Reused only when its webhooks go where this caller asked (or nowhere for both).
    if (reusable && reusable.callback_url === upload.callbackUrl) {
      await remember(reusable);
      return { job: reusable, created: false };
    }

    const job = await createImportJob(trx, {
      id: upload.jobId,
      mode: upload.mode,
      file_name: upload.fileName,
      file_size: stored.sizeBytes,
      file_hash: stored.sha256,
      idempotency_key: key ?? null,
      callback_url: upload.callbackUrl,
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
    await remember(job);
    return { job, created: true };
  });
}
