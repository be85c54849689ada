/** Shortcuts for commit tests: validate + request + commit in one call. */
import type { ImportJob, ImportMode } from "@catalog/db";
import { requestCommit } from "@catalog/jobs";
import { commitImport } from "../../src/handlers/commit-import";
import { validateImport } from "../../src/handlers/validate-import";
import type { WorkerHarness } from "./worker-harness";

/** Validates `bytes`; fails the test unless the job ends `validated`. */
export async function validated(
  harness: WorkerHarness,
  bytes: Buffer,
  name: string,
  mode: ImportMode,
): Promise<ImportJob> {
  const job = await harness.submit(bytes, name, mode);
  const done = await validateImport(job.id, harness.deps);
  if (done?.status !== "validated")
    throw new Error(`${name}: ${done?.status} ${done?.failure_code} ${done?.failure_message}`);
  return done;
}

/** Requests and runs the commit of a validated job (allow_partial). */
export async function committed(
  harness: WorkerHarness,
  job: ImportJob,
): Promise<ImportJob | undefined> {
  if (!(await requestCommit(harness.deps.db, job.id, true)))
    throw new Error(`commit of ${job.id} refused`);
  return commitImport(job.id, harness.deps);
}

/** A CSV file from rows of cells (first row the header). */
export function csv(rows: string[][]): Buffer {
  return Buffer.from(`${rows.map((row) => row.join(",")).join("\n")}\n`);
}
