/**
 * API bearer tokens (SPEC §8). Only a SHA-256 of the token is stored; the token
 * itself is printed once by `importctl tokens create`.
 */
import type { Generated, Insertable, Selectable } from "kysely";

export const ROLES = ["viewer", "importer", "admin"] as const;
export type Role = (typeof ROLES)[number];

export interface ApiTokenTable {
  id: Generated<string>;
  email: string;
  role: Role;
  token_hash: string;
  /** First characters of the token, so operators can tell tokens apart in listings. */
  token_prefix: string;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export type ApiToken = Selectable<ApiTokenTable>;
export type NewApiToken = Insertable<ApiTokenTable>;
