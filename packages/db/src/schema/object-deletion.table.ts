/**
 * One row per object the retention deleted from the bucket: what, why, whose,
 * how big and by whom. Kept after the object is gone, so "where did the
 * snapshot of job X go" has an answer.
 */
import type { Generated, Insertable, Selectable } from "kysely";
import type { MediaKind } from "./media.table";

/** Why an object was deleted. */
export const DELETION_REASONS = ["expired", "orphaned"] as const;
export type DeletionReason = (typeof DELETION_REASONS)[number];

export interface ObjectDeletionTable {
  id: Generated<number>;
  object_key: string;
  /** input, snapshot or report when known; null for an object nothing describes. */
  kind: MediaKind | null;
  job_id: string | null;
  reason: DeletionReason;
  size_bytes: number | null;
  /** The worker's retention task (`retention`) or an operator (`importctl`). */
  deleted_by: string;
  deleted_at: Generated<Date>;
}

export type ObjectDeletion = Selectable<ObjectDeletionTable>;
export type NewObjectDeletion = Insertable<ObjectDeletionTable>;
