/**
 * The closed set of row- and header-level issue codes (SPEC §3), each with its
 * severity. An error keeps its row out of the plan; a warning does not. Whole-file
 * failures are not issues: they are the fatal codes of `fatal-import-error.ts`.
 */

/** How bad an issue is: an `error` row is left out of the plan, a `warning` row is not. */
export type Severity = "error" | "warning";

/** Every issue code with its severity. */
export const ISSUE_CODES = {
  /** A required cell is empty: category (or category_slug), both titles, or model_code. */
  REQUIRED_VALUE_MISSING: "error",
  /** A slug (category/series/brand ≤ 100, product ≤ 255) or a model code (≤ 100) is too long, in code points. */
  VALUE_TOO_LONG: "error",
  /** The price cell is not a number in any accepted format (e.g. `1,23.45`, `1.234.56`, `on iki`). */
  INVALID_PRICE: "error",
  /** The price has more than two decimals; it is never rounded silently. */
  PRICE_PRECISION: "error",
  /** The price is negative or over 99,999,999.99 (numeric(10,2)). */
  PRICE_OUT_OF_RANGE: "error",
  /** The variant would have more specs than MAX_SPECS_PER_VARIANT (in the row, or merged with the stored ones). */
  TOO_MANY_SPECS: "error",
  /** A given or derived slug comes out empty after slugify (e.g. a title of `???`). */
  INVALID_SLUG: "error",
  /** Strict mode: the row names a category the catalog does not have. */
  MISSING_CATEGORY: "error",
  /** Strict mode: the row names a series the catalog does not have. */
  MISSING_SERIES: "error",
  /** Strict mode: the row names a brand the catalog does not have. */
  MISSING_BRAND: "error",
  /** The row's series (or the product's stored series) belongs to another category than the product. */
  SERIES_CATEGORY_MISMATCH: "error",
  /** A title is over 200 characters (kept as is). */
  TITLE_TOO_LONG: "warning",
  /** Dimensions are over 50 characters (kept as is). */
  DIMENSIONS_TOO_LONG: "warning",
  /** A later row of the same product gives another value for a product field; the first one wins. */
  PRODUCT_FIELD_CONFLICT: "warning",
  /** A repeated model code was renamed `CODE-k` so that every variant of the file is distinct. */
  MODEL_CODE_DISAMBIGUATED: "warning",
  /** A header the importer does not know; the column is ignored. */
  UNKNOWN_COLUMN: "warning",
  /** A second header for an already mapped column or spec; the column is ignored. */
  DUPLICATE_COLUMN: "warning",
  /** An existing variant is moved to another product by this row. */
  VARIANT_MOVED: "warning",
} as const satisfies Record<string, Severity>;

/** One of {@link ISSUE_CODES}. */
export type IssueCode = keyof typeof ISSUE_CODES;

/** The severity of `code`. */
export function severityOf(code: IssueCode): Severity {
  return ISSUE_CODES[code];
}
