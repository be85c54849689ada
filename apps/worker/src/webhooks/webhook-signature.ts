/**
 * Standard Webhooks signing (standardwebhooks.com): the secret is
 * `whsec_<base64 key>`; the signature of one attempt is
 * `v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`.
 */
import { createHmac } from "node:crypto";

const SECRET_PREFIX = "whsec_";

/** The key bytes of a `whsec_<base64>` secret; throws on another shape. */
export function webhookKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("A webhook secret starts with whsec_");
  const base64 = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64))
    throw new Error("A webhook secret is base64 after whsec_");
  const key = Buffer.from(base64, "base64");
  if (key.length < 24) throw new Error("A webhook secret needs at least 24 bytes of key");
  return key;
}

/** The three headers of one attempt (timestamp in seconds since the epoch). */
export function webhookHeaders(
  key: Buffer,
  id: string,
  timestamp: number,
  body: string,
): Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string> {
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${signature}`,
  };
}
