/** Creating, finding, listing and revoking API tokens in Postgres. */
import type { ApiToken, Database, Role } from "@catalog/db";
import type { Kysely } from "kysely";
import { generateToken, hashToken, tokenDisplayPrefix } from "./api-token";

/** Creates a token for `email` with `role`; returns the token itself (its only appearance). */
export async function createApiToken(
  db: Kysely<Database>,
  email: string,
  role: Role,
): Promise<{ token: string; record: ApiToken }> {
  const token = generateToken();
  const record = await db
    .insertInto("ops_api_token")
    .values({ email, role, token_hash: hashToken(token), token_prefix: tokenDisplayPrefix(token) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, record };
}

/** The live (not revoked) token record matching `token`, or undefined. */
export async function findActiveToken(
  db: Kysely<Database>,
  token: string,
): Promise<ApiToken | undefined> {
  return db
    .selectFrom("ops_api_token")
    .selectAll()
    .where("token_hash", "=", hashToken(token))
    .where("revoked_at", "is", null)
    .executeTakeFirst();
}

/** Every token record, newest first (never the tokens themselves). */
export async function listApiTokens(db: Kysely<Database>): Promise<ApiToken[]> {
  return db.selectFrom("ops_api_token").selectAll().orderBy("created_at", "desc").execute();
}

/** Revokes the token with this id or display prefix; returns how many were revoked. */
export async function revokeApiToken(db: Kysely<Database>, idOrPrefix: string): Promise<number> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrPrefix);
  const result = await db
    .updateTable("ops_api_token")
    .set({ revoked_at: new Date() })
    .where(isUuid ? "id" : "token_prefix", "=", idOrPrefix)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
