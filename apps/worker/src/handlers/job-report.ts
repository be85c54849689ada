/**
 * The job's XLSX report (SPEC §9): built from the snapshot (never from the input
 * file) and the job's state, streamed to S3 as it is written, recorded in the
 * Media table and on the job. Written after validation and again after commit
 * (with the result and db_verify).
 */
import { PassThrough } from "node:stream";
import type { SnapshotReportParts } from "@catalog/core";
import type { Database, ImportJob } from "@catalog/db";
import { recordMedia } from "@catalog/jobs";
import { writeReport } from "@catalog/report";
import { type ObjectStore, putObject, type StoredObject } from "@catalog/storage";
import type { Kysely } from "kysely";
import { reportModel } from "./report-model-from-snapshot";

/** The key of a job's report. */
export const reportKey = (jobId: string) => `reports/import_report_${jobId}.xlsx`;

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Writes the report of `job` to S3 (streaming) and records it in the Media table; returns what was stored. */
export async function storeJobReport(
  db: Kysely<Database>,
  store: ObjectStore,
  job: ImportJob,
  snapshot: SnapshotReportParts,
): Promise<StoredObject> {
  const key = reportKey(job.id);
  const body = new PassThrough();
  const [, stored] = await Promise.all([
    writeReport(reportModel(job, snapshot), body),
    putObject(store, key, body, XLSX),
  ]);
  await recordMedia(db, {
    key,
    kind: "report",
    jobId: job.id,
    contentType: XLSX,
    sizeBytes: stored.sizeBytes,
    sha256: stored.sha256,
  });
  return stored;
}
