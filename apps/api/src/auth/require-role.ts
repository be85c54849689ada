/**
 * Bearer-token authentication and role checks (SPEC §8). A route declares the
 * least role it needs; roles are ordered viewer < importer < admin, so an admin
 * may do anything an importer may. The caller is kept in `response.locals`.
 */
import { findActiveToken } from "@catalog/auth";
import type { ApiToken, Database, Role } from "@catalog/db";
import type { Logger } from "@catalog/observability";
import type { RequestHandler, Response } from "express";
import { type Kysely, sql } from "kysely";
import { AppError } from "../errors";

/** Who is calling, from their token. */
export interface Principal {
  email: string;
  role: Role;
  tokenId: string;
}

/** What a role may do includes everything a lower role may. */
const ROLE_RANK: Record<Role, number> = { viewer: 0, importer: 1, admin: 2 };

/** `last_used_at` is refreshed at most this often per token (one write a minute, not one per request). */
const LAST_USED_RESOLUTION_MS = 60_000;

/** What the role check needs. */
export interface AuthDependencies {
  db: Kysely<Database>;
  logger: Logger;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  return match?.[1];
}

/**
 * Refreshes the token's `last_used_at` when it is older than a minute. The
 * condition is repeated in SQL so concurrent requests write at most once.
 */
async function touchToken(deps: AuthDependencies, token: ApiToken): Promise<void> {
  const lastUsed = token.last_used_at?.getTime() ?? 0;
  if (Date.now() - lastUsed < LAST_USED_RESOLUTION_MS) return;
  try {
    await deps.db
      .updateTable("ops_api_token")
      .set({ last_used_at: sql`now()` })
      .where("id", "=", token.id)
      .where((eb) =>
        eb.or([
          eb("last_used_at", "is", null),
          eb("last_used_at", "<", sql<Date>`now() - interval '1 minute'`),
        ]),
      )
      .execute();
  } catch (error) {
    // Bookkeeping only: never fail the caller's request for it.
    deps.logger.warn({ err: error, token_id: token.id }, "Could not record token use");
  }
}

/**
 * Authenticates the request and requires at least `role`: no, unknown or revoked
 * token → 401 UNAUTHENTICATED; a lower role → 403 FORBIDDEN.
 */
export function requireRole(deps: AuthDependencies, role: Role): RequestHandler {
  return async (request, response, next) => {
    const token = bearerToken(request.get("authorization"));
    const record = token ? await findActiveToken(deps.db, token) : undefined;
    if (!record) {
      response.set("WWW-Authenticate", 'Bearer realm="catalog-import"');
      throw new AppError(
        "UNAUTHENTICATED",
        token
          ? "The bearer token is unknown or revoked"
          : "An Authorization: Bearer token is required",
      );
    }
    if (ROLE_RANK[record.role] < ROLE_RANK[role]) {
      throw new AppError("FORBIDDEN", `This needs the ${role} role; the token has ${record.role}`);
    }
    await touchToken(deps, record);
    const principal: Principal = { email: record.email, role: record.role, tokenId: record.id };
    response.locals.principal = principal;
    next();
  };
}

/** The caller authenticated by {@link requireRole} for this request. */
export function principalOf(response: Response): Principal {
  const principal = response.locals.principal as Principal | undefined;
  if (!principal) throw new Error("principalOf used on a route without requireRole");
  return principal;
}
