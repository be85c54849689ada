/**
 * Bearer tokens: random, shown once, stored only as a SHA-256 (a database leak
 * does not leak usable tokens). A token looks like `cit_<43 url-safe chars>`.
 */
import { createHash, randomBytes } from "node:crypto";

const TOKEN_PREFIX = "cit_";

/** A new random token (256 bits). */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** The stored form of a token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** The part of a token safe to show in listings. */
export function tokenDisplayPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}
