/**
 * The Media table (one row per stored object, SPEC §5): what was stored where,
 * its size and SHA-256. Writing the same key again (a re-run) replaces its row.
 */
import type { Database, MediaKind } from "@catalog/db";
import { type Kysely, sql, type Transaction } from "kysely";

/** Records (or re-records) the object at `key` for `jobId`. */
export async function recordMedia(
  db: Kysely<Database> | Transaction<Database>,
  media: {
    key: string;
    kind: MediaKind;
    jobId: string;
    contentType: string;
    sizeBytes: number;
    sha256: string;
  },
): Promise<void> {
  await db
    .insertInto("catalog_media")
    .values({
      filename: media.key.split("/").pop() ?? media.key,
      object_key: media.key,
      kind: media.kind,
      job_id: media.jobId,
      content_type: media.contentType,
      size_bytes: media.sizeBytes,
      sha256: media.sha256,
    })
    .onConflict((oc) =>
      oc
        .column("object_key")
        .doUpdateSet({ size_bytes: media.sizeBytes, sha256: media.sha256, created_at: sql`now()` }),
    )
    .execute();
}
