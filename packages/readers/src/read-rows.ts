/**
 * The readers' entry point: tells an XLSX from a CSV by its leading bytes, reads it
 * under the limits and returns its rows for the core.
 */
import { open } from "node:fs/promises";
import { FatalImportError, type RawRow } from "@catalog/core";
import { readCsvRows } from "./csv-reader";
import { type ReadLimits, resolveReadLimits } from "./read-limits";
import { RowCollector } from "./row-collector";
import { isZip, looksLikeText } from "./sniff-file-kind";
import { readXlsxRows } from "./xlsx-reader";

/** Options of {@link readRows}. */
export interface ReadRowsOptions {
  /** The name the user uploaded the file under, for messages (the path may be a temp name). */
  fileName?: string;
  /** Limits overriding {@link DEFAULT_READ_LIMITS} one by one. */
  limits?: Partial<ReadLimits>;
  /** Aborting it rejects the read promptly with the signal's reason. */
  signal?: AbortSignal;
}

const HEAD_BYTES = 8 * 1024;

/**
 * Reads the file at `filePath`: an XLSX when it starts with a zip header (its `Data`
 * sheet, else its first), otherwise a CSV when its first bytes look like text.
 * Returns one {@link RawRow} per line that has a non-blank cell, numbered by its true
 * 1-based line (XLSX) or record (CSV) number; blank lines are left out.
 *
 * @throws FatalImportError UNSUPPORTED_FILE (neither kind, empty, corrupt, unparsable),
 *   ROW_LIMIT_EXCEEDED, TOO_MANY_COLUMNS, CELL_TOO_LONG, UNCOMPRESSED_SIZE_EXCEEDED.
 */
export async function readRows(filePath: string, options: ReadRowsOptions = {}): Promise<RawRow[]> {
  const { signal } = options;
  signal?.throwIfAborted();
  const limits = resolveReadLimits(options.limits);
  const collector = new RowCollector(limits, signal);
  try {
    const head = await readHead(filePath);
    if (head.length === 0) throw new FatalImportError("UNSUPPORTED_FILE", "file is empty");
    if (isZip(head)) {
      await readXlsxRows(filePath, collector, limits, signal);
    } else if (looksLikeText(head)) {
      await readCsvRows(filePath, collector, signal);
    } else {
      throw new FatalImportError("UNSUPPORTED_FILE", "not an XLSX or CSV file (binary content)");
    }
  } catch (error) {
    // Name the upload in the message, so that a log line or a job error says which file.
    if (error instanceof FatalImportError && options.fileName) {
      error.message = `${options.fileName}: ${error.message}`;
    }
    throw error;
  }
  return collector.rows;
}

async function readHead(filePath: string): Promise<Buffer> {
  const file = await open(filePath, "r");
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
