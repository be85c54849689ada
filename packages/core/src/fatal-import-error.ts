/**
 * An error that ends an import as a whole (the job ends `failed` with `code`), as
 * opposed to an issue that marks one row. Thrown by the core and by the readers;
 * never retried, because the same bytes would fail the same way.
 */

/** The closed set of fatal codes, each with the reason it exists. */
export const FATAL_CODES = [
  /** A required column (category, model_code, a title) is absent from the header. */
  "MISSING_COLUMN",
  /** Not a readable XLSX/CSV: not a zip or text, a corrupt or truncated zip, no worksheet, undecodable text. */
  "UNSUPPORTED_FILE",
  /** More data rows (or products) than MAX_VARIANTS (or MAX_PRODUCTS) allow. */
  "ROW_LIMIT_EXCEEDED",
  /** The zip's entries inflate past the uncompressed-size limit (a decompression bomb). */
  "UNCOMPRESSED_SIZE_EXCEEDED",
  /** More columns than MAX_COLUMNS. */
  "TOO_MANY_COLUMNS",
  /** A cell longer than MAX_CELL_CHARS. */
  "CELL_TOO_LONG",
  /** Validation ran past VALIDATION_TIMEOUT_S. */
  "VALIDATION_TIMEOUT",
] as const;

export type FatalCode = (typeof FATAL_CODES)[number];

/** A whole-file failure with a code from {@link FATAL_CODES} and optional details (e.g. the missing columns). */
export class FatalImportError extends Error {
  override readonly name = "FatalImportError";
  constructor(
    readonly code: FatalCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
