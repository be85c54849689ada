/**
 * Builds the plan (SPEC §4) from the merged products and the valid rows: create,
 * update (field-by-field diff, before-image, id and version) or unchanged for every
 * product and variant. An empty cell never erases: on update, null keeps the stored
 * value and specs merge key by key into the stored ones.
 */
import type { CatalogView } from "./catalog-view";
import type { CheckedRow } from "./checked-row";
import { compareCodePoints } from "./code-point-order";
import type {
  Candidates,
  EntityRef,
  FieldChanges,
  ImportPlan,
  ProductPlanEntry,
  ProductValues,
  VariantPlanEntry,
  VariantValues,
} from "./import-plan";
import type { MergedProduct } from "./merge-products";
import { mergeSpecs, recordToSpecs, type SpecRecord, sameSpecs, specsToRecord } from "./specs";

/**
 * The plan for `products` and the variants of `validRows`, against `catalog`.
 * `fileSpecs` gives a row's specs as a record: a created variant's values hold that
 * record itself, so a caller that keeps the same record elsewhere holds it once.
 */
export function buildPlan(
  products: ReadonlyMap<string, MergedProduct>,
  validRows: readonly CheckedRow[],
  catalog: CatalogView,
  candidates: Candidates,
  fileSpecs: (checked: CheckedRow) => SpecRecord = (checked) => specsToRecord(checked.row.specs),
): ImportPlan {
  const productEntries = [...products.values()]
    .sort((a, b) => compareCodePoints(a.slug, b.slug))
    .map((product) => planProduct(product, catalog));
  const variantEntries = validRows
    .map((checked) => planVariant(checked, catalog, fileSpecs))
    .sort((a, b) => compareCodePoints(a.model_code, b.model_code));
  return {
    candidates,
    products: productEntries,
    variants: variantEntries,
    references: collectReferences(productEntries, candidates, catalog),
  };
}

function planProduct(product: MergedProduct, catalog: CatalogView): ProductPlanEntry {
  const { slug, rows, values } = product;
  const stored = catalog.products.get(slug);
  if (!stored) return { action: "create", slug, rows, values };
  const before: ProductValues = {
    title_tr: stored.title_tr,
    title_en: stored.title_en,
    category_slug: stored.category_slug,
    series_slug: stored.series_slug,
    brand_slug: stored.brand_slug,
  };
  const after: ProductValues = {
    title_tr: values.title_tr ?? before.title_tr,
    title_en: values.title_en ?? before.title_en,
    category_slug: values.category_slug,
    series_slug: values.series_slug ?? before.series_slug,
    brand_slug: values.brand_slug ?? before.brand_slug,
  };
  const changes: FieldChanges<ProductValues> = {};
  for (const field of Object.keys(before) as (keyof ProductValues)[]) {
    if (before[field] !== after[field]) {
      (changes as Record<string, unknown>)[field] = { old: before[field], new: after[field] };
    }
  }
  const seen = { id: stored.id, version: stored.version };
  if (Object.keys(changes).length === 0) {
    return { action: "unchanged", slug, rows, ...seen, values: before };
  }
  return { action: "update", slug, rows, ...seen, before, values: after, changes };
}

function planVariant(
  checked: CheckedRow,
  catalog: CatalogView,
  fileSpecs: (checked: CheckedRow) => SpecRecord,
): VariantPlanEntry {
  const { row } = checked;
  // Valid rows have a product slug and a model code.
  const model_code = row.values.model_code as string;
  const product_slug = row.productSlug as string;
  const stored = catalog.variants.get(model_code);
  if (!stored) {
    const values: VariantValues = {
      product_slug,
      dimensions: row.values.dimensions,
      price: row.values.price,
      specs: fileSpecs(checked),
    };
    return { action: "create", model_code, row: row.row, values };
  }
  const storedSpecs = recordToSpecs(stored.specs);
  const mergedSpecs = mergeSpecs(storedSpecs, row.specs);
  const before: VariantValues = {
    product_slug: stored.product_slug,
    dimensions: stored.dimensions,
    price: stored.price,
    specs: specsToRecord(storedSpecs),
  };
  const after: VariantValues = {
    product_slug,
    dimensions: row.values.dimensions ?? stored.dimensions,
    price: row.values.price ?? stored.price,
    specs: specsToRecord(mergedSpecs),
  };
  const changes: FieldChanges<VariantValues> = {};
  for (const field of ["product_slug", "dimensions", "price"] as const) {
    if (before[field] !== after[field]) {
      (changes as Record<string, unknown>)[field] = { old: before[field], new: after[field] };
    }
  }
  if (!sameSpecs(storedSpecs, mergedSpecs)) changes.specs = { old: before.specs, new: after.specs };
  const seen = { id: stored.id, version: stored.version };
  if (Object.keys(changes).length === 0) {
    return { action: "unchanged", model_code, row: row.row, ...seen, values: before };
  }
  return { action: "update", model_code, row: row.row, ...seen, before, values: after, changes };
}

/**
 * The existing rows the plan relies on: the category, series and brand every planned
 * product ends up with, the category of every new series, and every existing product.
 */
function collectReferences(
  products: readonly ProductPlanEntry[],
  candidates: Candidates,
  catalog: CatalogView,
): ImportPlan["references"] {
  const categories = new Set<string>(candidates.series.map((s) => s.category_slug));
  const series = new Set<string>();
  const brands = new Set<string>();
  const existingProducts = new Set<string>();
  for (const product of products) {
    categories.add(product.values.category_slug);
    if (product.values.series_slug) series.add(product.values.series_slug);
    if (product.values.brand_slug) brands.add(product.values.brand_slug);
    if (product.action !== "create") existingProducts.add(product.slug);
  }
  return {
    categories: refs(categories, catalog.categories),
    series: refs(series, catalog.series),
    brands: refs(brands, catalog.brands),
    products: refs(existingProducts, catalog.products),
  };
}

/** The stored rows among `slugs`, as references sorted by slug. */
function refs(
  slugs: ReadonlySet<string>,
  stored: ReadonlyMap<string, { id: number; version: number }>,
): EntityRef[] {
  return [...slugs].sort(compareCodePoints).flatMap((slug) => {
    const row = stored.get(slug);
    return row ? [{ slug, id: row.id, version: row.version }] : [];
  });
}
