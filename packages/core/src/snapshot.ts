/**
 * The snapshot (SPEC §5): the immutable record of a validation, written once to
 * object storage as canonical JSON and applied by commit. Same job, same input and
 * same catalog give byte-identical bytes: it holds no timestamp.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json";
import type { DataRows } from "./data-rows";
import type { ImportMode, ImportPlan } from "./import-plan";
import type { Issue } from "./issue";
import type { NormalizationLogEntry } from "./normalization-log";
import type { ImportResult, ProductRecord, VariantRecord } from "./plan-import";
import type { ImportSummary } from "./summary";

/** The snapshot format this code writes and reads. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** What was validated. */
export interface SnapshotInput {
  /** The uploaded file's name. */
  filename: string;
  /** SHA-256 of the uploaded bytes, lower-case hex. */
  file_sha256: string;
  mode: ImportMode;
}

/** A validation, as stored. Candidates are `plan.candidates`. */
export interface Snapshot {
  format_version: typeof SNAPSHOT_FORMAT_VERSION;
  job_id: string;
  input: SnapshotInput;
  summary: ImportSummary;
  issues: Issue[];
  /** The file's normalized products by slug. */
  products: Record<string, ProductRecord>;
  /** The file's normalized variants by model code. */
  variants: Record<string, VariantRecord>;
  normalization_log: NormalizationLogEntry[];
  /** The report's Data sheet: every data row in the input's layout, issues marked. */
  data_rows: DataRows;
  /** What commit applies, with the ids and versions drift detection compares. */
  plan: ImportPlan;
}

/** What {@link buildSnapshot} needs. */
export interface SnapshotSource {
  jobId: string;
  input: { filename: string; fileSha256: string; mode: ImportMode };
  result: ImportResult;
}

/** The snapshot of `result`, validated for job `jobId` from `input`. */
export function buildSnapshot({ jobId, input, result }: SnapshotSource): Snapshot {
  if (result.mode !== input.mode) {
    throw new Error(`The result was planned in ${result.mode} mode, the input says ${input.mode}`);
  }
  return {
    format_version: SNAPSHOT_FORMAT_VERSION,
    job_id: jobId,
    input: { filename: input.filename, file_sha256: input.fileSha256, mode: input.mode },
    summary: result.summary,
    issues: result.issues,
    products: result.products,
    variants: result.variants,
    normalization_log: result.normalizationLog,
    data_rows: result.dataRows,
    plan: result.plan,
  };
}

/** The snapshot's bytes (canonical JSON, UTF-8) and their SHA-256 (lower-case hex). */
export function encodeSnapshot(snapshot: Snapshot): { bytes: Buffer; sha256: string } {
  const bytes = Buffer.from(canonicalJson(snapshot), "utf8");
  return { bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}
