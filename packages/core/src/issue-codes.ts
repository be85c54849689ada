/**
 * The closed set of row- and header-level issue codes (SPEC §3), each with its
 * severity. An error keeps its row out of the plan; a warning does not. Whole-file
 * failures are not issues: they are the fatal codes of `fatal-import-error.ts`.
 */

/** How bad an issue is: an `error` row is left out of the plan, a `warning` row is not. */
export type Severity = "error" | "warning";

/** Every issue code with its severity; what each means is {@link ISSUE_CODE_DESCRIPTIONS}. */
export const ISSUE_CODES = {
  REQUIRED_VALUE_MISSING: "error",
  VALUE_TOO_LONG: "error",
  INVALID_PRICE: "error",
  PRICE_PRECISION: "error",
  PRICE_OUT_OF_RANGE: "error",
  TOO_MANY_SPECS: "error",
  INVALID_SLUG: "error",
  MISSING_CATEGORY: "error",
  MISSING_SERIES: "error",
  MISSING_BRAND: "error",
  SERIES_CATEGORY_MISMATCH: "error",
  TITLE_TOO_LONG: "warning",
  DIMENSIONS_TOO_LONG: "warning",
  PRODUCT_FIELD_CONFLICT: "warning",
  MODEL_CODE_DISAMBIGUATED: "warning",
  UNKNOWN_COLUMN: "warning",
  DUPLICATE_COLUMN: "warning",
  VARIANT_MOVED: "warning",
} as const satisfies Record<string, Severity>;

/**
 * What each code means, one sentence for the person reading a report (its Summary
 * lists them next to the counts), so it is written for them rather than for a program.
 */
export const ISSUE_CODE_DESCRIPTIONS: Readonly<Record<IssueCode, string>> = {
  REQUIRED_VALUE_MISSING:
    "A required cell is empty: the category (or category_slug), a title (title_tr or title_en) or the model code.",
  VALUE_TOO_LONG:
    "A slug or model code is longer than the catalog holds (category, series and brand slugs 100 characters, product slugs 255, model codes 100).",
  INVALID_PRICE:
    "The price is not a number in an accepted format (1234.5, 1,234.56, 1.234,56 or 1 234,56, with an optional currency sign).",
  PRICE_PRECISION: "The price has more than two decimals; it is never rounded silently.",
  PRICE_OUT_OF_RANGE: "The price is negative or over 99,999,999.99.",
  TOO_MANY_SPECS:
    "The variant would have more specs than allowed (MAX_SPECS_PER_VARIANT, 50 by default), in the row or together with its stored ones.",
  INVALID_SLUG:
    "A slug, given or made from a name or title (such as ???), comes out empty: it needs at least one letter or digit.",
  MISSING_CATEGORY: "Strict mode: the row names a category that the catalog does not have.",
  MISSING_SERIES: "Strict mode: the row names a series that the catalog does not have.",
  MISSING_BRAND: "Strict mode: the row names a brand that the catalog does not have.",
  SERIES_CATEGORY_MISMATCH:
    "The row's series (or the product's stored series) belongs to another category than the product.",
  TITLE_TOO_LONG: "A title is over 200 characters; it is kept as is.",
  DIMENSIONS_TOO_LONG: "The dimensions are over 50 characters; they are kept as is.",
  PRODUCT_FIELD_CONFLICT:
    "A later row of the same product gives another value for a product field; the first one wins.",
  MODEL_CODE_DISAMBIGUATED:
    "A repeated model code was renamed CODE-k so that every variant of the file is distinct.",
  UNKNOWN_COLUMN: "A header the importer does not know; the column is ignored.",
  DUPLICATE_COLUMN: "A second header for an already mapped column or spec; the column is ignored.",
  VARIANT_MOVED: "An existing variant is moved to another product by this row.",
};

/** One of {@link ISSUE_CODES}. */
export type IssueCode = keyof typeof ISSUE_CODES;

/** The severity of `code`. */
export function severityOf(code: IssueCode): Severity {
  return ISSUE_CODES[code];
}
