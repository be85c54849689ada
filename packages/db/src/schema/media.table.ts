/**
 * One row per object the service stored (inputs, snapshots, reports), with its
 * size and SHA-256: the runbook's "Media" table. Commit checks a snapshot's bytes
 * against the hash recorded here.
 */
import type { Generated, Insertable, Selectable } from "kysely";

export const MEDIA_KINDS = ["input", "snapshot", "report"] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export interface MediaTable {
  id: Generated<number>;
  /** Base name, e.g. `import_snapshot_<job-id>.json`. */
  filename: string;
  object_key: string;
  kind: MediaKind;
  job_id: string | null;
  content_type: string;
  size_bytes: number;
  sha256: string;
  created_at: Generated<Date>;
}

export type Media = Selectable<MediaTable>;
export type NewMedia = Insertable<MediaTable>;
