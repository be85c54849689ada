/**
 * Reads a snapshot back: parses the bytes and checks the format version and the whole
 * shape, so that commit never acts on a document it does not understand. The check
 * is one walk over the parsed document, in place; only a document that fails it is
 * walked again to name the path of what is wrong.
 */
import { JsonShapeError } from "./json-shape";
import type { Snapshot } from "./snapshot";
import { SNAPSHOT_FORMAT_VERSION, SNAPSHOT_SHAPE } from "./snapshot-format";

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
