/**
 * The in-memory meaning of commit: applies a plan to a catalog view and returns the
 * new view. It documents what the SQL commit must do — check drift first (every row
 * to update or relied on still has the version seen, nothing to create exists yet),
 * then create candidates, then products, then variants, updating rows to the plan's
 * full "after" values — and lets the core prove the fixture story end to end.
 */
import type {
  CatalogBrand,
  CatalogCategory,
  CatalogProduct,
  CatalogSeries,
  CatalogVariant,
  CatalogView,
} from "./catalog-view";
import type { EntityRef, ImportPlan } from "./import-plan";

/** The catalog moved on since the plan was made; nothing was applied. */
export class PlanDriftError extends Error {
  override readonly name = "PlanDriftError";
  constructor(
    /** `entity:key` of every row that changed, is gone, or exists although it is to be created. */
    readonly keys: string[],
  ) {
    super(`The catalog changed since validation: ${keys.join(", ")}`);
  }
}

type Stored = { id: number; version: number };

/**
 * Applies `plan` to `catalog`: new rows get ids after the largest id of their type
 * (in plan order) and version 1; updated rows get the plan's values and version + 1.
 *
 * @throws PlanDriftError when the catalog is not the one the plan was made against.
 */
export function applyPlanToCatalog(catalog: CatalogView, plan: ImportPlan): CatalogView {
  checkDrift(catalog, plan);
  const categories = new Map(catalog.categories);
  const series = new Map(catalog.series);
  const brands = new Map(catalog.brands);
  const products = new Map(catalog.products);
  const variants = new Map(catalog.variants);

  const nextId = idAllocator(categories);
  for (const { slug, name } of plan.candidates.categories) {
    categories.set(slug, { id: nextId(), slug, name, version: 1 } satisfies CatalogCategory);
  }
  const nextSeriesId = idAllocator(series);
  for (const { slug, name, category_slug } of plan.candidates.series) {
    requireKey(categories, "category", category_slug);
    series.set(slug, {
      id: nextSeriesId(),
      slug,
      name,
      category_slug,
      version: 1,
    } satisfies CatalogSeries);
  }
  const nextBrandId = idAllocator(brands);
  for (const { slug, name } of plan.candidates.brands) {
    brands.set(slug, { id: nextBrandId(), slug, name, version: 1 } satisfies CatalogBrand);
  }

  const nextProductId = idAllocator(products);
  for (const entry of plan.products) {
    if (entry.action === "unchanged") continue;
    const { values } = entry;
    requireKey(categories, "category", values.category_slug);
    if (values.series_slug) requireKey(series, "series", values.series_slug);
    if (values.brand_slug) requireKey(brands, "brand", values.brand_slug);
    const identity =
      entry.action === "create"
        ? { id: nextProductId(), version: 1 }
        : { id: entry.id, version: entry.version + 1 };
    products.set(entry.slug, { ...identity, slug: entry.slug, ...values } satisfies CatalogProduct);
  }

  const nextVariantId = idAllocator(variants);
  for (const entry of plan.variants) {
    if (entry.action === "unchanged") continue;
    const { values } = entry;
    requireKey(products, "product", values.product_slug);
    const identity =
      entry.action === "create"
        ? { id: nextVariantId(), version: 1 }
        : { id: entry.id, version: entry.version + 1 };
    variants.set(entry.model_code, {
      ...identity,
      model_code: entry.model_code,
      product_slug: values.product_slug,
      dimensions: values.dimensions,
      price: values.price,
      specs: values.specs,
    } satisfies CatalogVariant);
  }
  return { categories, series, brands, products, variants };
}

/** Collects every drift before applying anything, as commit does inside its transaction. */
function checkDrift(catalog: CatalogView, plan: ImportPlan): void {
  const drift: string[] = [];
  const seen = (entity: string, stored: ReadonlyMap<string, Stored>, key: string, row: Stored) => {
    const current = stored.get(key);
    if (!current || current.id !== row.id || current.version !== row.version) {
      drift.push(`${entity}:${key}`);
    }
  };
  const absent = (entity: string, stored: ReadonlyMap<string, unknown>, key: string) => {
    if (stored.has(key)) drift.push(`${entity}:${key}`);
  };
  const relied = (entity: string, stored: ReadonlyMap<string, Stored>, refs: EntityRef[]) => {
    for (const ref of refs) seen(entity, stored, ref.slug, ref);
  };
  relied("category", catalog.categories, plan.references.categories);
  relied("series", catalog.series, plan.references.series);
  relied("brand", catalog.brands, plan.references.brands);
  relied("product", catalog.products, plan.references.products);
  for (const { slug } of plan.candidates.categories) absent("category", catalog.categories, slug);
  for (const { slug } of plan.candidates.series) absent("series", catalog.series, slug);
  for (const { slug } of plan.candidates.brands) absent("brand", catalog.brands, slug);
  for (const entry of plan.products) {
    if (entry.action === "create") absent("product", catalog.products, entry.slug);
    else seen("product", catalog.products, entry.slug, entry);
  }
  for (const entry of plan.variants) {
    if (entry.action === "create") absent("variant", catalog.variants, entry.model_code);
    else seen("variant", catalog.variants, entry.model_code, entry);
  }
  if (drift.length > 0) throw new PlanDriftError([...new Set(drift)]);
}

/** Ids after the largest id in `rows`, one per call. */
function idAllocator(rows: ReadonlyMap<string, Stored>): () => number {
  let last = 0;
  for (const row of rows.values()) last = Math.max(last, row.id);
  return () => ++last;
}

/** A plan may only refer to rows it relies on or creates. */
function requireKey(rows: ReadonlyMap<string, unknown>, entity: string, key: string): void {
  if (!rows.has(key)) {
    throw new Error(`The plan refers to ${entity} ${key}, which it neither relies on nor creates`);
  }
}
