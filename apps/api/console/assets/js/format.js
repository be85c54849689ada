/** How numbers, times and job states read on the page. */

const numberFormat = new Intl.NumberFormat("en-GB");

/** `12,345`; a dash for a missing value. */
export function count(value) {
  return value === null || value === undefined ? "–" : numberFormat.format(value);
}

/** `1.2 MB`. */
export function bytes(value) {
  if (value === null || value === undefined) return "–";
  if (value < 1024) return `${value} B`;
  if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KB`;
  return `${(value / 1024 / 1024).toFixed(1)} MB`;
}

/** `5 min ago` for an ISO time; the exact time goes in a title. */
export function age(iso, now = Date.now()) {
  if (!iso) return "–";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** The exact local time of an ISO time. */
export function exactTime(iso) {
  return iso ? new Date(iso).toLocaleString("en-GB") : "–";
}

/** Every job status (SPEC §7; the API's `JOB_STATUSES`), in lifecycle order, for the status filter. */
export const JOB_STATUSES = [
  "pending",
  "validating",
  "validated",
  "running",
  "success",
  "partial",
  "failed",
  "reverted",
  "cancelled",
];

/** Statuses in which a worker is (or will soon be) moving the job on by itself. */
export const MOVING_STATUSES = new Set(["pending", "validating", "running"]);

/** What each status means, for the operator. */
export const STATUS_TEXT = {
  pending: "Waiting for a worker to validate it",
  validating: "Being validated",
  validated: "Validated: the preview is ready; nothing is written until commit",
  running: "Being committed",
  success: "Committed",
  partial: "Committed without the rows that had errors",
  failed: "Failed",
  reverted: "Reverted",
  cancelled: "Cancelled",
};

/** `variant:GKO-6010` → `{entity: "variant", key: "GKO-6010"}`. */
export function splitEntityKey(text) {
  const index = String(text).indexOf(":");
  return index < 0
    ? { entity: "", key: String(text) }
    : { entity: text.slice(0, index), key: text.slice(index + 1) };
}

/** A cell value as text; `null` shows as an em dash placeholder. */
export function valueText(value) {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** `text` cut to `limit` characters (code points) with its full length said, for long cell values. */
export function shortText(text, limit = 120) {
  const chars = [...text];
  if (chars.length <= limit) return text;
  return `${chars.slice(0, limit).join("")}… (${count(chars.length)} characters)`;
}
