/**
 * The normalized file: what `normalizeFile` makes of a sheet's rows, before the
 * catalog is consulted. Every cell is normalized text (or null), every slug and
 * model code is final, and every issue that needs no catalog is attached to its row.
 */
import type { CanonicalColumn, HeaderColumn } from "./header-map";
import type { Issue } from "./issue";
import type { NormalizationLogEntry } from "./normalization-log";
import type { CellValue } from "./raw-row";

/** The limits `normalizeFile` enforces (SPEC §12). */
export interface ImportLimits {
  /** Distinct products a file may hold (MAX_PRODUCTS). */
  maxProducts: number;
  /** Data rows a file may hold (MAX_VARIANTS). */
  maxVariants: number;
  /** Specs a variant may have (MAX_SPECS_PER_VARIANT). */
  maxSpecsPerVariant: number;
}

/** The normalized text of each canonical column of a row (null when empty or unusable). */
export type FieldValues = { [K in CanonicalColumn]: string | null };

/** One non-blank data row, normalized. */
export interface NormalizedRow {
  /** Sheet line number. */
  row: number;
  /**
   * Normalized values by canonical column: `price` is a two-decimal string (null when
   * empty or invalid), `model_code` is after disambiguation, `*_slug` are slugified.
   */
  values: FieldValues;
  /** The category's slug (given or slugify(name)); null when absent or invalid. */
  categorySlug: string | null;
  seriesSlug: string | null;
  brandSlug: string | null;
  /** The product's slug (given, else from title_en, else title_tr); null when absent or invalid. */
  productSlug: string | null;
  /** Non-empty specs by name as written. */
  specs: ReadonlyMap<string, string>;
  /** Issues found without the catalog. */
  issues: Issue[];
  /**
   * Normalized text of every header column, in the input's layout (the report's Data
   * sheet); null for the columns the importer ignores.
   */
  cells: (string | null)[];
  /**
   * The row's cells as read, by sheet column: where an error sits, the report shows
   * what the file had rather than what normalizing made of it.
   */
  rawCells: readonly CellValue[];
}

/** A whole file, normalized. */
export interface NormalizedFile {
  /** Sheet line number of the header. */
  headerRow: number;
  /** Header column by column, as written (trimmed). */
  columns: HeaderColumn[];
  /** UNKNOWN_COLUMN and DUPLICATE_COLUMN warnings. */
  headerIssues: Issue[];
  /** Non-blank data rows in file order. */
  rows: NormalizedRow[];
  normalizationLog: NormalizationLogEntry[];
  limits: ImportLimits;
}
