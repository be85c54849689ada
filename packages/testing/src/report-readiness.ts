/**
 * Waiting for a job's report. The XLSX report is built by queue work after the
 * status that asks for it (validated; committed), so a test that reads it waits
 * for `report_status` ready in Postgres (the source of truth), optionally for a
 * given generation (1: the validation's report; 2: after a commit, the result's).
 */
import type { Database, ImportJob } from "@catalog/db";
import type { Kysely } from "kysely";

/** The report columns of job `id`. */
export type ReportState = Pick<
  ImportJob,
  "id" | "status" | "report_key" | "report_status" | "report_generation" | "report_ready_at"
>;

/**
 * Polls job `id` until its report is ready (of at least `generation`, when
 * given); returns the job's report columns. Throws on a failed report, or after
 * `timeoutMs` (default 60 s) saying what the job showed last.
 */
export async function waitForReportReady(
  db: Kysely<Database>,
  id: string,
  options: { generation?: number; timeoutMs?: number; intervalMs?: number } = {},
): Promise<ReportState> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const job = await db
      .selectFrom("ops_importjob")
      .select([
        "id",
        "status",
        "report_key",
        "report_status",
        "report_generation",
        "report_ready_at",
      ])
      .where("id", "=", id)
      .executeTakeFirst();
    if (job?.report_status === "ready" && job.report_generation >= (options.generation ?? 0))
      return job;
    if (job?.report_status === "failed") throw new Error(`the report of job ${id} failed`);
    if (Date.now() > deadline) {
      throw new Error(
        `the report of job ${id} is not ready: ${job?.status ?? "missing"}, report ${job?.report_status ?? null} (generation ${job?.report_generation ?? "-"})`,
      );
    }
    await new Promise((done) => setTimeout(done, options.intervalMs ?? 100));
  }
}
