/**
 * The product merge (SPEC §3): valid rows sharing a product slug are one product; the
 * first non-null value of each field wins, and a later non-null value that differs
 * (category, series and brand compared by slug) is a PRODUCT_FIELD_CONFLICT warning
 * on that field's column.
 */
import { type CheckedRow, referenceText } from "./checked-row";
import type { ProductValues } from "./import-plan";
import { makeIssue } from "./issue";

/** A product as the file describes it, with the rows it came from. */
export interface MergedProduct {
  slug: string;
  values: ProductValues;
  /** The valid rows of this product, in file order. */
  rows: number[];
}

/** The product fields, the issue column of each, and how a row gives it (value and cell text). */
const FIELDS: readonly {
  field: keyof ProductValues;
  column: string;
  read: (checked: CheckedRow) => string | null;
  textOf: (checked: CheckedRow) => string | null;
}[] = [
  {
    field: "title_tr",
    column: "title_tr",
    read: (c) => c.row.values.title_tr,
    textOf: (c) => c.row.values.title_tr,
  },
  {
    field: "title_en",
    column: "title_en",
    read: (c) => c.row.values.title_en,
    textOf: (c) => c.row.values.title_en,
  },
  {
    field: "category_slug",
    column: "category",
    read: (c) => c.row.categorySlug,
    textOf: (c) => referenceText(c, "category"),
  },
  {
    field: "series_slug",
    column: "series",
    read: (c) => c.row.seriesSlug,
    textOf: (c) => referenceText(c, "series"),
  },
  {
    field: "brand_slug",
    column: "brand",
    read: (c) => c.row.brandSlug,
    textOf: (c) => referenceText(c, "brand"),
  },
];

/**
 * Merges valid rows (in file order) into products, adding PRODUCT_FIELD_CONFLICT
 * warnings to the rows whose values lose. Every valid row has a product slug and a
 * category.
 */
export function mergeProducts(validRows: readonly CheckedRow[]): Map<string, MergedProduct> {
  const products = new Map<string, MergedProduct>();
  // Which row gave each product field its value, for the conflict message.
  const sources = new Map<string, Map<keyof ProductValues, number>>();
  for (const checked of validRows) {
    const slug = checked.row.productSlug;
    if (slug === null) continue;
    let product = products.get(slug);
    let source = sources.get(slug);
    if (!product || !source) {
      product = { slug, values: emptyProduct(), rows: [] };
      source = new Map();
      products.set(slug, product);
      sources.set(slug, source);
    }
    product.rows.push(checked.row.row);
    for (const { field, column, read, textOf } of FIELDS) {
      const value = read(checked);
      if (value === null) continue;
      const firstRow = source.get(field);
      if (firstRow === undefined) {
        (product.values as Record<keyof ProductValues, string | null>)[field] = value;
        source.set(field, checked.row.row);
        continue;
      }
      const current = product.values[field];
      if (current === value) continue;
      checked.issues.push(
        makeIssue(
          checked.row.row,
          column,
          "PRODUCT_FIELD_CONFLICT",
          `Product ${slug} already has ${column} "${current}" from row ${firstRow}; this row's "${textOf(checked)}" is ignored.`,
          textOf(checked),
        ),
      );
    }
  }
  return products;
}

function emptyProduct(): ProductValues {
  // category_slug is set by the product's first row: every valid row has a category.
  return { title_tr: null, title_en: null, category_slug: "", series_slug: null, brand_slug: null };
}
