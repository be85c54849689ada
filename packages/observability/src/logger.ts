/**
 * Structured JSON logs (pino). Every log line about a job carries `job_id` and
 * `phase` (child loggers); the runbook greps for fixed message patterns, which
 * live in {@link LOG_PATTERNS} so code and runbook cannot drift apart.
 */
import pino, { type Logger } from "pino";

export type { Logger } from "pino";

/** Message prefixes the operations runbook searches for; use these, verbatim. */
export const LOG_PATTERNS = {
  validateFatal: "[VALIDATE] Fatal error during validation",
  commitError: "[COMMIT] Error during commit for job",
  snapshotIntegrity: "Snapshot integrity check FAILED",
  dbVerifyFailed: "DB VERIFY FAILED for job",
} as const;

/** The process's root logger; `service` names the process (api, worker, importctl). */
export function createLogger(
  service: string,
  level = "info",
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    { level, base: { service, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
}
