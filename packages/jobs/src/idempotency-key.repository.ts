/**
 * Idempotency-Key records (IETF draft httpapi-idempotency-key-header): a
 * caller's key, the fingerprint of the request it was first used with, the job
 * that request made, and when the key expires. Callers lock the key first
 * (see the upload route), so reading and recording one are not racing.
 */
import { createHash } from "node:crypto";
import type { Database, IdempotencyKey } from "@catalog/db";
import { type Kysely, sql, type Transaction } from "kysely";

type Db = Kysely<Database> | Transaction<Database>;

/** What identifies an upload request, whatever key it carries. */
export interface UploadFingerprintInput {
  fileSha256: string;
  mode: string;
  fileName: string;
  callbackUrl: string | null;
}

/** SHA-256 (hex) of the upload request: its file's hash, mode, file name and callback_url. */
export function uploadFingerprint(input: UploadFingerprintInput): string {
  return createHash("sha256")
    .update(
      JSON.stringify([input.fileSha256, input.mode, input.fileName, input.callbackUrl ?? null]),
    )
    .digest("hex");
}

/** The caller's record of `key` if it has not expired. */
export async function findLiveIdempotencyKey(
  db: Db,
  createdBy: string,
  key: string,
): Promise<IdempotencyKey | undefined> {
  return db
    .selectFrom("ops_idempotency_key")
    .select(["created_by", "key", "fingerprint", "job_id", "created_at", "expires_at"])
    .where("created_by", "=", createdBy)
    .where("key", "=", key)
    .where("expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
}

/**
 * Records `key` for `jobId`, expiring `ttlHours` from now; replaces an expired
 * record of the same key.
 */
export async function recordIdempotencyKey(
  db: Db,
  record: { createdBy: string; key: string; fingerprint: string; jobId: string; ttlHours: number },
): Promise<void> {
  const expiresAt = sql<Date>`now() + make_interval(secs => ${record.ttlHours * 3600})`;
  await db
    .insertInto("ops_idempotency_key")
    .values({
      created_by: record.createdBy,
      key: record.key,
      fingerprint: record.fingerprint,
      job_id: record.jobId,
      expires_at: expiresAt,
    })
    .onConflict((oc) =>
      oc.columns(["created_by", "key"]).doUpdateSet({
        fingerprint: record.fingerprint,
        job_id: record.jobId,
        created_at: sql`now()`,
        expires_at: expiresAt,
      }),
    )
    .execute();
}

/** Forgets `key` (a request answered 503 is not one to replay). */
export async function releaseIdempotencyKey(db: Db, createdBy: string, key: string): Promise<void> {
  await db
    .deleteFrom("ops_idempotency_key")
    .where("created_by", "=", createdBy)
    .where("key", "=", key)
    .execute();
}

/** Deletes records expired before now; returns how many. */
export async function deleteExpiredIdempotencyKeys(db: Db): Promise<number> {
  const result = await db
    .deleteFrom("ops_idempotency_key")
    .where("expires_at", "<=", sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
