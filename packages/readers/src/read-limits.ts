/**
 * The limits every reader enforces while it reads, so that a hostile or runaway file
 * ends the import with a {@link FatalImportError} code instead of exhausting memory.
 */

/** Limits applied while reading one file. */
export interface ReadLimits {
  /** Rows with a non-empty cell allowed beyond the header row (SPEC §12 MAX_VARIANTS). */
  maxDataRows: number;
  /** Highest column position that may hold a non-empty cell. */
  maxColumns: number;
  /** Longest text cell, in UTF-16 code units (Excel's own cell limit is 32,767). */
  maxCellChars: number;
  /** Total uncompressed size of an XLSX: over all zip entries as declared, and over what is inflated. */
  maxUncompressedBytes: number;
}

/** The defaults: 10,000 data rows, 200 columns, 32,767 characters a cell, 100 MiB uncompressed. */
export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = Object.freeze({
  maxDataRows: 10_000,
  maxColumns: 200,
  maxCellChars: 32_767,
  maxUncompressedBytes: 100 * 1024 * 1024,
});

/** The defaults overridden by the given limits (an `undefined` entry keeps the default). */
export function resolveReadLimits(limits: Partial<ReadLimits> = {}): ReadLimits {
  const resolved = { ...DEFAULT_READ_LIMITS };
  for (const key of Object.keys(resolved) as (keyof ReadLimits)[]) {
    const value = limits[key];
    if (value !== undefined) resolved[key] = value;
  }
  return resolved;
}
