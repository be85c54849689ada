/**
 * The upload's `callback_url`: an http(s) URL, and when it is plain `http://`,
 * to a host in WEBHOOK_ALLOWED_HOSTS. Webhooks are sent from inside the
 * deployment, so an open callback would let any importer make the service call
 * its private network; https to public hosts is the norm for receivers.
 */
import { AppError } from "../errors";
import { callbackUrl } from "./import-job.schemas";

/** The URL, normalized, or 400 INVALID_CALLBACK_URL. */
export function checkCallbackUrl(value: string, allowedHosts: readonly string[]): string {
  const parsed = callbackUrl.safeParse(value.trim());
  if (!parsed.success) {
    throw new AppError("INVALID_CALLBACK_URL", "callback_url must be an http(s) URL", {
      callback_url: value,
    });
  }
  const url = new URL(parsed.data);
  // URL.hostname keeps the brackets of an IPv6 literal; the allow-list is written without.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (url.protocol === "http:" && !allowedHosts.includes(host)) {
    throw new AppError(
      "INVALID_CALLBACK_URL",
      `callback_url must be https://, or http:// to one of: ${allowedHosts.join(", ")}`,
      { callback_url: value, allowed_hosts: allowedHosts },
    );
  }
  if (url.username || url.password) {
    throw new AppError("INVALID_CALLBACK_URL", "callback_url must not carry credentials", {
      callback_url: value,
    });
  }
  return url.toString();
}
