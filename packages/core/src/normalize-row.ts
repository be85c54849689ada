/**
 * Normalizes one data row (SPEC §3): every cell to normalized text, the price to a
 * two-decimal string, slugs given or derived, and every check that needs neither
 * the catalog nor the other rows. Model codes are disambiguated later, file-wide.
 */
import { type LogSink, normalizeCell } from "./cell-text";
import { numberToDecimalText } from "./decimal-text";
import { CANONICAL_COLUMNS, type CanonicalColumn, type HeaderMap } from "./header-map";
import { type Issue, makeIssue } from "./issue";
import type { FieldValues, ImportLimits, NormalizedRow } from "./normalized-file";
import { type PriceResult, parsePriceNumber, parsePriceText } from "./price";
import type { RawRow } from "./raw-row";
import { slugify } from "./slugify";

/** Longest slug of a category, series or brand (varchar(100)). */
export const MAX_REFERENCE_SLUG = 100;
/** Longest product slug (varchar(255)). */
export const MAX_PRODUCT_SLUG = 255;
/** Longest model code (varchar(100)). */
export const MAX_MODEL_CODE = 100;
/** Titles longer than this are a warning. */
export const TITLE_WARNING_LENGTH = 200;
/** Dimensions longer than this are a warning. */
export const DIMENSIONS_WARNING_LENGTH = 50;

const SLUG_COLUMNS: ReadonlySet<CanonicalColumn> = new Set([
  "category_slug",
  "series_slug",
  "brand_slug",
  "product_slug",
]);

/** Length in Unicode code points, the unit of every length rule. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/** Every canonical column null, keys in {@link CANONICAL_COLUMNS} order (a literal: one shape for all rows). */
function emptyValues(): FieldValues {
  return {
    category: null,
    category_slug: null,
    series: null,
    series_slug: null,
    brand: null,
    brand_slug: null,
    product_slug: null,
    title_tr: null,
    title_en: null,
    model_code: null,
    dimensions: null,
    price: null,
  };
}

/** Normalizes `raw` under `header`; log entries go to `log`. */
export function normalizeRow(
  raw: RawRow,
  header: HeaderMap,
  limits: ImportLimits,
  log: LogSink,
): NormalizedRow {
  const row = raw.row;
  const issues: Issue[] = [];
  const { values, specs, cells, givenSlugs } = readCells(raw, header, log, issues);
  const reference = (name: "category" | "series" | "brand") =>
    referenceSlug(row, name, values, givenSlugs, issues);
  const normalized: NormalizedRow = {
    row,
    values,
    categorySlug: reference("category"),
    seriesSlug: reference("series"),
    brandSlug: reference("brand"),
    productSlug: productSlug(row, values, givenSlugs, issues),
    specs,
    issues,
    cells,
    rawCells: raw.cells,
  };
  checkRequired(normalized);
  checkLengths(normalized);
  if (specs.size > limits.maxSpecsPerVariant) {
    issues.push(
      makeIssue(
        row,
        "specs",
        "TOO_MANY_SPECS",
        `The row has ${specs.size} specs; a variant may have at most ${limits.maxSpecsPerVariant}.`,
      ),
    );
  }
  return normalized;
}

/**
 * Normalizes every header column's cell: fields into `values`, non-empty specs into
 * `specs`, and each cell's normalized text into `cells` (the input's layout).
 */
function readCells(raw: RawRow, header: HeaderMap, log: LogSink, issues: Issue[]) {
  const row = raw.row;
  const values = emptyValues();
  const specs = new Map<string, string>();
  // The *_slug cells as written (normalized, before slugify), for issue values.
  const givenSlugs = new Map<CanonicalColumn, string>();
  const cells = header.columns.map((column): string | null => {
    const cell = raw.cells[column.index];
    const { role } = column;
    // Nothing reads an ignored column, the Data sheet included.
    if (role.kind === "ignored") return null;
    if (role.kind === "spec") {
      const value = normalizeCell(cell, { row, column: `spec:${role.name}` }, log);
      if (value !== null) specs.set(role.name, value);
      return value;
    }
    const at = { row, column: role.field };
    if (role.field === "price") {
      const price = normalizePrice(cell, at, log, issues);
      values.price = price.value;
      return price.cell;
    }
    let value = normalizeCell(cell, at, log);
    if (value !== null && SLUG_COLUMNS.has(role.field)) {
      givenSlugs.set(role.field, value);
      const slug = slugify(value);
      if (slug !== value) log?.({ ...at, kind: "slugify", from: value, to: slug });
      value = slug;
    }
    values[role.field] = value;
    return value;
  });
  return { values, specs, cells, givenSlugs };
}

/** The price cell: its two-decimal value (null when empty or invalid) and the cell text for the Data sheet. */
function normalizePrice(
  cell: RawRow["cells"][number] | undefined,
  at: { row: number; column: string },
  log: LogSink,
  issues: Issue[],
): { value: string | null; cell: string | null } {
  let source: string | null;
  let result: PriceResult;
  if (typeof cell === "number" && Number.isFinite(cell)) {
    source = numberToDecimalText(cell);
    result = parsePriceNumber(cell);
  } else {
    source = normalizeCell(cell, at, log);
    if (source === null) return { value: null, cell: null };
    result = parsePriceText(source);
  }
  if (!result.ok) {
    const message =
      result.code === "INVALID_PRICE"
        ? `The price "${source}" is not a number (accepted: 1234.5, 1,234.56, 1.234,56, 1 234,56, with an optional currency sign).`
        : result.code === "PRICE_PRECISION"
          ? `The price ${result.reason}; it is not rounded.`
          : `The price ${result.reason}; prices run from 0 to 99999999.99.`;
    issues.push(makeIssue(at.row, "price", result.code, message, source));
    return { value: null, cell: source };
  }
  if (result.price !== source) log?.({ ...at, kind: "price", from: source, to: result.price });
  return { value: result.price, cell: result.price };
}

/**
 * The slug of the row's category, series or brand: the `*_slug` cell when given,
 * else slugify(name). An empty or over-long slug is an issue on the entity's column.
 */
function referenceSlug(
  row: number,
  name: "category" | "series" | "brand",
  values: FieldValues,
  givenSlugs: ReadonlyMap<CanonicalColumn, string>,
  issues: Issue[],
): string | null {
  const given = values[`${name}_slug`];
  if (given !== null) {
    const source = givenSlugs.get(`${name}_slug`) ?? given;
    return checkedSlug(row, name, name, given, source, MAX_REFERENCE_SLUG, issues);
  }
  const source = values[name];
  if (source === null) return null;
  return checkedSlug(row, name, name, slugify(source), source, MAX_REFERENCE_SLUG, issues);
}

/**
 * The product's slug: `product_slug` when given, else slugify(title_en when non-empty,
 * else title_tr), with no fallback when that is empty. Null when there is no source
 * (the missing title is reported on its own) or the slug is unusable.
 */
function productSlug(
  row: number,
  values: FieldValues,
  givenSlugs: ReadonlyMap<CanonicalColumn, string>,
  issues: Issue[],
): string | null {
  const given = values.product_slug;
  if (given !== null) {
    const source = givenSlugs.get("product_slug") ?? given;
    return checkedSlug(row, "product_slug", "product", given, source, MAX_PRODUCT_SLUG, issues);
  }
  const title = values.title_en ?? values.title_tr;
  if (title === null) return null;
  return checkedSlug(
    row,
    "product_slug",
    "product",
    slugify(title),
    title,
    MAX_PRODUCT_SLUG,
    issues,
  );
}

function checkedSlug(
  row: number,
  column: string,
  entity: string,
  slug: string,
  source: string,
  max: number,
  issues: Issue[],
): string | null {
  if (slug === "") {
    issues.push(
      makeIssue(
        row,
        column,
        "INVALID_SLUG",
        `The ${entity} slug made from "${source}" is empty: it needs at least one letter or digit.`,
        source,
      ),
    );
    return null;
  }
  const length = codePointLength(slug);
  if (length > max) {
    issues.push(
      makeIssue(
        row,
        column,
        "VALUE_TOO_LONG",
        `The ${entity} slug "${slug}" is ${length} characters long; at most ${max} are allowed.`,
        source,
      ),
    );
    return null;
  }
  return slug;
}

function checkRequired({ row, values, issues }: NormalizedRow): void {
  const missing = (column: string, what: string) =>
    issues.push(makeIssue(row, column, "REQUIRED_VALUE_MISSING", `${what} is required but empty.`));
  if (values.category === null && values.category_slug === null)
    missing("category", "The category");
  if (values.title_tr === null && values.title_en === null) {
    missing("title_tr", "A title (title_tr or title_en)");
  }
  if (values.model_code === null) missing("model_code", "The model code");
}

function checkLengths({ row, values, issues }: NormalizedRow): void {
  for (const column of ["title_tr", "title_en"] as const) {
    const title = values[column];
    if (title === null) continue;
    const length = codePointLength(title);
    if (length > TITLE_WARNING_LENGTH) {
      issues.push(
        makeIssue(
          row,
          column,
          "TITLE_TOO_LONG",
          `The ${column} is ${length} characters long, over the ${TITLE_WARNING_LENGTH} recommended; it is kept as is.`,
          title,
        ),
      );
    }
  }
  const dimensions = values.dimensions;
  if (dimensions !== null && codePointLength(dimensions) > DIMENSIONS_WARNING_LENGTH) {
    issues.push(
      makeIssue(
        row,
        "dimensions",
        "DIMENSIONS_TOO_LONG",
        `The dimensions are ${codePointLength(dimensions)} characters long, over the ${DIMENSIONS_WARNING_LENGTH} recommended; they are kept as is.`,
        dimensions,
      ),
    );
  }
}
