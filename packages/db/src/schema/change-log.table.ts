/**
 * The commit change log: one row per catalog row a commit created or updated,
 * with the before-image of updates and the version the row had right after the
 * commit. Revert restores before-images and refuses when a row's version moved
 * on since (a later change it would silently undo).
 */
import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

export const CATALOG_ENTITIES = ["category", "series", "brand", "product", "variant"] as const;
export type CatalogEntity = (typeof CATALOG_ENTITIES)[number];

export interface ChangeLogTable {
  id: Generated<number>;
  job_id: string;
  entity: CatalogEntity;
  entity_id: number;
  /** Slug or model code, for messages and operators. */
  entity_key: string;
  action: "create" | "update";
  before: ColumnType<Record<string, unknown> | null, string | null, never>;
  after: ColumnType<Record<string, unknown>, string, never>;
  version_after: number;
  created_at: Generated<Date>;
}

export type ChangeLogEntry = Selectable<ChangeLogTable>;
export type NewChangeLogEntry = Insertable<ChangeLogTable>;
