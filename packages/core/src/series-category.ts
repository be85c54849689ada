/**
 * The series/category rule (SPEC §3): a series belongs to one category — the stored
 * one, or for a series new to the catalog the category of the first row (in file
 * order, without other errors) naming it. A row that puts a series under another
 * category, or an update that would leave a product with a series of another
 * category, is SERIES_CATEGORY_MISMATCH.
 */
import type { CatalogView } from "./catalog-view";
import { type CheckedRow, isValidRow, referenceText } from "./checked-row";
import { type Issue, makeIssue } from "./issue";

/** What the accepted rows so far made of a product: its category and series (first non-null wins). */
interface ProductSoFar {
  category: string;
  series: string | null;
}

/**
 * Walks the rows in file order, adding SERIES_CATEGORY_MISMATCH where it applies.
 * Only rows without errors decide a new series' category or a product's category.
 * Returns the category of every series new to the catalog.
 */
export function checkSeriesCategories(
  rows: readonly CheckedRow[],
  catalog: CatalogView,
): Map<string, string> {
  const newSeries = new Map<string, string>();
  const products = new Map<string, ProductSoFar>();
  const categoryOf = (series: string) =>
    catalog.series.get(series)?.category_slug ?? newSeries.get(series);

  for (const checked of rows) {
    const { categorySlug: category, seriesSlug: series, productSlug: product } = checked.row;
    if (category === null) continue;
    const mismatch = findMismatch(checked, category, { catalog, products, categoryOf });
    if (mismatch) checked.issues.push(mismatch);
    if (!isValidRow(checked)) continue;
    if (series !== null && categoryOf(series) === undefined) newSeries.set(series, category);
    if (product !== null) {
      const soFar = products.get(product);
      products.set(product, {
        category: soFar?.category ?? category,
        series: soFar?.series ?? series,
      });
    }
  }
  return newSeries;
}

/** What the walk knows so far. */
interface WalkState {
  catalog: CatalogView;
  /** Products as the accepted rows so far made them. */
  products: ReadonlyMap<string, ProductSoFar>;
  /** A series' category: stored, or set by the first accepted row naming it. */
  categoryOf: (series: string) => string | undefined;
}

/** The row's SERIES_CATEGORY_MISMATCH, if any; `category` is the row's category slug. */
function findMismatch(
  checked: CheckedRow,
  category: string,
  { catalog, products, categoryOf }: WalkState,
): Issue | undefined {
  const { row, seriesSlug: series, productSlug: product } = checked.row;
  const seriesText = referenceText(checked, "series");
  // The row's own series must belong to the row's category.
  const seriesCategory = series === null ? undefined : categoryOf(series);
  if (series !== null && seriesCategory !== undefined && seriesCategory !== category) {
    return makeIssue(
      row,
      "series",
      "SERIES_CATEGORY_MISMATCH",
      `The series "${seriesText}" (${series}) belongs to category ${seriesCategory}, not to ${category}.`,
      seriesText,
    );
  }
  if (product === null) return undefined;
  // The product's series after this row (earlier rows, this row, else the stored one)
  // must belong to the product's category after this row.
  const soFar = products.get(product);
  const productCategory = soFar?.category ?? category;
  const productSeries =
    soFar?.series ?? series ?? catalog.products.get(product)?.series_slug ?? null;
  if (productSeries === null) return undefined;
  const productSeriesCategory =
    categoryOf(productSeries) ?? (productSeries === series ? category : undefined);
  if (productSeriesCategory === undefined || productSeriesCategory === productCategory) {
    return undefined;
  }
  const stored = productSeries !== series && !soFar?.series;
  return makeIssue(
    row,
    "series",
    "SERIES_CATEGORY_MISMATCH",
    stored
      ? `Product ${product} would be in category ${productCategory} but keep its stored series ${productSeries}, which belongs to ${productSeriesCategory}.`
      : `Product ${product} is in category ${productCategory}, but series ${productSeries} belongs to ${productSeriesCategory}.`,
    seriesText,
  );
}
