/**
 * Reads a snapshot back: parses the bytes and checks the format version and the whole
 * shape, so that commit never acts on a document it does not understand. The check
 * is one walk over the parsed document, in place; only a document that fails it is
 * walked again to name the path of what is wrong.
 */
import { JsonShapeError, type JsonShape } from "./json-shape";
import type { ImportPlan } from "./import-plan";
import type { Snapshot } from "./snapshot";
import {
  PLAN_SHAPE,
  REPORT_PART_SHAPES,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_SHAPE,
} from "./snapshot-format";

/** A snapshot that cannot be read or written: not JSON, another format version, or a bad shape. */
export class SnapshotFormatError extends Error {
  override readonly name = "SnapshotFormatError";
}

/**
 * Parses and checks snapshot bytes (as {@link encodeSnapshot} wrote them).
 *
 * @throws SnapshotFormatError when the bytes are not JSON, the format version is not
 *   {@link SNAPSHOT_FORMAT_VERSION}, or any part has the wrong shape (the message names the path).
 */
export function decodeSnapshot(bytes: Uint8Array): Snapshot {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new SnapshotFormatError(`Snapshot is not UTF-8 JSON: ${(error as Error).message}`);
  }
  const version = (document as { format_version?: unknown } | null)?.format_version;
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotFormatError(
      `Snapshot format_version is ${JSON.stringify(version ?? null)}; this code reads version ${SNAPSHOT_FORMAT_VERSION}`,
    );
  }
  if (SNAPSHOT_SHAPE.accepts(document)) return document;
  throw badShape(document);
}

/** The error naming where `value` departs from the snapshot's shape. */
export function badShape(value: unknown): SnapshotFormatError {
  try {
    SNAPSHOT_SHAPE.check(value, "snapshot");
  } catch (error) {
    if (error instanceof JsonShapeError) {
      return new SnapshotFormatError(`Snapshot has a bad shape at ${error.message}`);
    }
    throw error;
  }
  // accepts and check disagree: a bug in a shape, not in the document.
  return new SnapshotFormatError("Snapshot has a bad shape (the checker found no path)");
}

/** What commit reads of a snapshot: its job and its plan. */
export interface SnapshotPlan {
  job_id: string;
  plan: ImportPlan;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The byte ranges of the values of the top-level object's keys in `wanted`, by a
 * walk that skips strings (found with indexOf) and counts nesting: it parses
 * nothing, so the rest of the document is never turned into objects.
 */
function topLevelValues(bytes: Uint8Array, wanted: readonly string[]): Map<string, Uint8Array> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = new Map<string, Uint8Array>();
  const names = new Set(wanted);
  let depth = 0;
  let key: string | undefined;
  let valueStart = -1;
  let expectKey = false;
  const end = buffer.length;
  for (let i = 0; i < end; i++) {
    const byte = buffer[i];
    if (byte === QUOTE) {
      // The closing quote: the first one not escaped by an odd run of backslashes.
      let close = buffer.indexOf(QUOTE, i + 1);
      for (;;) {
        if (close < 0)
          throw new SnapshotFormatError("Snapshot is not JSON: a string is not closed");
        let slashes = 0;
        while (buffer[close - 1 - slashes] === BACKSLASH) slashes++;
        if (slashes % 2 === 0) break;
        close = buffer.indexOf(QUOTE, close + 1);
      }
      if (depth === 1 && expectKey) {
        key = JSON.parse(buffer.toString("utf8", i, close + 1)) as string;
        expectKey = false;
      }
      i = close;
    } else if (byte === 0x7b || byte === 0x5b) {
      depth++;
      if (depth === 1) expectKey = byte === 0x7b;
    } else if (byte === 0x7d || byte === 0x5d || byte === 0x2c) {
      if (depth === 1 && key !== undefined && valueStart >= 0) {
        if (names.has(key)) found.set(key, buffer.subarray(valueStart, i));
        key = undefined;
        valueStart = -1;
      }
      if (byte === 0x2c) {
        if (depth === 1) expectKey = true;
      } else depth--;
    } else if (byte === 0x3a && depth === 1) {
      valueStart = i + 1;
    }
  }
  return found;
}

/**
 * Reads what commit needs of snapshot bytes whose SHA-256 already matched the one
 * recorded at validation (so they are the bytes {@link encodeSnapshot} wrote):
 * checks the format version, and parses and shape-checks only `job_id` and
 * `plan`. The rest (the data rows, the issues, the log: most of the bytes) is
 * skipped, never parsed.
 *
 * @throws SnapshotFormatError as {@link decodeSnapshot} does, for the parts it reads.
 */
export function decodeSnapshotPlan(bytes: Uint8Array): SnapshotPlan {
  const parts = topLevelValues(bytes, ["format_version", "job_id", "plan"]);
  checkFormatVersion(parts);
  const jobId = parsePart(parts, "job_id");
  if (typeof jobId !== "string")
    throw new SnapshotFormatError("Snapshot has a bad shape at job_id");
  return { job_id: jobId, plan: checkedPart(parts, "plan", PLAN_SHAPE) };
}

/** What the report reads of a snapshot: everything it shows, none of what only commit applies. */
export interface SnapshotReportParts {
  summary: Snapshot["summary"];
  issues: Snapshot["issues"];
  normalization_log: Snapshot["normalization_log"];
  data_rows: Snapshot["data_rows"];
  plan: Pick<ImportPlan, "candidates">;
}

/**
 * Reads what the report needs of snapshot bytes whose SHA-256 already matched the
 * recorded one: checks the format version, then parses and shape-checks the
 * summary, issues, normalization log, Data sheet rows and the plan's candidates.
 * The products, the variants and the rest of the plan (about half of the bytes)
 * are skipped, never parsed, and the bytes are never one string.
 *
 * @throws SnapshotFormatError as {@link decodeSnapshot} does, for the parts it reads.
 */
export function decodeSnapshotReport(bytes: Uint8Array): SnapshotReportParts {
  const parts = topLevelValues(bytes, [
    "format_version",
    "summary",
    "issues",
    "normalization_log",
    "data_rows",
    "plan",
  ]);
  checkFormatVersion(parts);
  const plan = parts.get("plan");
  const planParts = plan === undefined ? new Map() : topLevelValues(plan, ["candidates"]);
  return {
    summary: checkedPart(parts, "summary", REPORT_PART_SHAPES.summary),
    issues: checkedPart(parts, "issues", REPORT_PART_SHAPES.issues),
    normalization_log: checkedPart(
      parts,
      "normalization_log",
      REPORT_PART_SHAPES.normalization_log,
    ),
    data_rows: checkedPart(parts, "data_rows", REPORT_PART_SHAPES.data_rows),
    plan: {
      candidates: checkedPart(planParts, "candidates", REPORT_PART_SHAPES.candidates, "plan."),
    },
  } as SnapshotReportParts;
}

/** The parsed value of top-level member `name` (undefined when absent). */
function parsePart(parts: ReadonlyMap<string, Uint8Array>, name: string): unknown {
  const part = parts.get(name);
  if (part === undefined) return undefined;
  try {
    // The bytes are proven (their SHA-256 matched): no need for a fatal UTF-8 decode.
    return JSON.parse(Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString("utf8"));
  } catch (error) {
    throw new SnapshotFormatError(`Snapshot is not UTF-8 JSON: ${(error as Error).message}`);
  }
}

function checkFormatVersion(parts: ReadonlyMap<string, Uint8Array>): void {
  const version = parsePart(parts, "format_version");
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    throw new SnapshotFormatError(
      `Snapshot format_version is ${JSON.stringify(version ?? null)}; this code reads version ${SNAPSHOT_FORMAT_VERSION}`,
    );
  }
}

/** Member `name`, parsed and checked against `shape` (the error names `prefix + name` and the path within). */
function checkedPart<T>(
  parts: ReadonlyMap<string, Uint8Array>,
  name: string,
  shape: JsonShape<T>,
  prefix = "",
): T {
  const value = parsePart(parts, name);
  if (shape.accepts(value)) return value;
  try {
    shape.check(value, `${prefix}${name}`);
  } catch (error) {
    if (error instanceof JsonShapeError)
      throw new SnapshotFormatError(`Snapshot has a bad shape at ${error.message}`);
    throw error;
  }
  throw new SnapshotFormatError("Snapshot has a bad shape (the checker found no path)");
}
