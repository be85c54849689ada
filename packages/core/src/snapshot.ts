/**
 * The snapshot (SPEC §5): the immutable record of a validation, written once to
 * object storage as canonical JSON and applied by commit. Same job, same input and
 * same catalog give byte-identical bytes: it holds no timestamp.
 */
import { createHash } from "node:crypto";
import type { DataRows } from "./data-rows";
import { badShape } from "./decode-snapshot";
import type { ImportMode, ImportPlan } from "./import-plan";
import type { Issue } from "./issue";
import type { NormalizationLogEntry } from "./normalization-log";
import { JsonWriter, ShapeMismatch } from "./json-shape";
import type { ImportResult, ProductRecord, VariantRecord } from "./plan-import";
import { SNAPSHOT_FORMAT_VERSION, SNAPSHOT_SHAPE } from "./snapshot-format";
import type { ImportSummary } from "./summary";

export { SNAPSHOT_FORMAT_VERSION } from "./snapshot-format";

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

/**
 * Writes the snapshot's canonical JSON (UTF-8) to `sink` in chunks of 16 to 64 KiB,
 * so that it can be hashed and stored without ever being one string or one buffer.
 * The bytes are those of `canonicalJson(snapshot)`, written by the snapshot's shape
 * (which knows the key order of every fixed object) instead of a generic walk.
 *
 * @throws SnapshotFormatError naming the path when `snapshot` does not have the
 *   snapshot's shape (a missing or extra key, a wrong type), which a reader would refuse.
 */
export function writeSnapshot(snapshot: Snapshot, sink: (chunk: Buffer) => void): void {
  const out = new JsonWriter(sink);
  try {
    SNAPSHOT_SHAPE.write(snapshot, out);
  } catch (error) {
    if (error instanceof ShapeMismatch) throw badShape(snapshot);
    throw error;
  }
  out.flush();
}

/** The snapshot's bytes (canonical JSON, UTF-8) and their SHA-256 (lower-case hex). */
export function encodeSnapshot(snapshot: Snapshot): { bytes: Buffer; sha256: string } {
  const hash = createHash("sha256");
  const chunks: Buffer[] = [];
  writeSnapshot(snapshot, (chunk) => {
    hash.update(chunk);
    chunks.push(chunk);
  });
  return { bytes: Buffer.concat(chunks), sha256: hash.digest("hex") };
}
