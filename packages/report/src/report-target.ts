/**
 * Where a report is written: a file path or a caller's Writable (e.g. the body of an
 * S3 upload). Owns what happens to the output when writing fails, and turns the
 * output's own failure (disk full, upload aborted, consumer gone) into a rejection
 * instead of an unhandled 'error' event.
 */
import { createWriteStream } from "node:fs";
import { unlink } from "node:fs/promises";
import { finished, type Writable } from "node:stream";

/** An opened output. */
export interface ReportTarget {
  stream: Writable;
  /**
   * Rejects when the output errors or closes before the report is complete; never
   * resolves. exceljs only listens for errors in its last step, so without this an
   * early error would crash the process and a destroyed stream would hang the write.
   */
  failed: Promise<never>;
  /**
   * Cleans up after a failed write: the stream is destroyed with the error (so an
   * upload or pipeline fed by it aborts instead of storing a truncated zip) and a
   * file written by path is removed, so no half-written report is left behind.
   */
  discard(error: unknown): Promise<void>;
  /** After a complete write: for a path, waits until the file is closed (the fd released). */
  complete(): Promise<void>;
}

/** Opens `output` for writing. A path is created or truncated. */
export function openReportTarget(output: Writable | string): ReportTarget {
  const stream = typeof output === "string" ? createWriteStream(output) : output;
  const failed = new Promise<never>((_, reject) => {
    finished(stream, (error) => {
      if (error) reject(error);
    });
  });
  // Observed by the caller's race; this keeps a late failure from being unhandled.
  failed.catch(() => {});
  return {
    stream,
    failed,
    async discard(error) {
      stream.destroy(error instanceof Error ? error : new Error(String(error)));
      if (typeof output !== "string") return;
      // The file is opened asynchronously: removing it before the stream has closed
      // could run before the open and leave an empty file behind.
      await closed(stream);
      await unlink(output).catch(() => {});
    },
    async complete() {
      if (typeof output === "string") await closed(stream);
    },
  };
}

function closed(stream: Writable): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once("close", () => resolve()));
}
